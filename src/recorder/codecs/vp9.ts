import type { Depacketizer } from './depacketizer';

/** Size of the VP9 RTP payload descriptor (RFC 9628) at the start of `p`, or -1 when malformed. */
export function vp9DescriptorSize(p: Buffer): number {
  if (p.length < 1) return -1;
  const b0 = p[0] as number;
  const I = b0 & 0x80, P = b0 & 0x40, L = b0 & 0x20, F = b0 & 0x10, V = b0 & 0x02;
  let n = 1;
  if (I) n += ((p[n] ?? 0) & 0x80) ? 2 : 1;
  if (L) n += F ? 1 : 2; // layer indices (+ TL0PICIDX in non-flexible mode)
  if (F && P) {
    for (let k = 0; k < 3; k++) {
      const d = p[n++];
      if (d === undefined) return -1;
      if (!(d & 1)) break; // N bit: another P_DIFF follows
    }
  }
  if (V) {
    const ss = p[n++];
    if (ss === undefined) return -1;
    const ns = (ss >> 5) + 1;
    if (ss & 0x10) n += 4 * ns; // Y: resolutions
    if (ss & 0x08) {
      const ng = p[n++];
      if (ng === undefined) return -1;
      for (let g = 0; g < ng; g++) {
        const gb = p[n++];
        if (gb === undefined) return -1;
        n += (gb >> 2) & 3; // R reference indices
      }
    }
  }
  return n <= p.length ? n : -1;
}

/** VP9 superframe index for frames of the given sizes (4 bytes per size). */
function superframeIndex(sizes: number[]): Buffer {
  const marker = 0xc0 | (3 << 3) | (sizes.length - 1);
  const idx = Buffer.alloc(2 + 4 * sizes.length);
  idx[0] = marker;
  sizes.forEach((s, i) => idx.writeUInt32LE(s, 1 + 4 * i));
  idx[idx.length - 1] = marker;
  return idx;
}

/** VP9: concatenates packet payloads; several spatial layers in one picture become a superframe. */
export const vp9Depacketizer: Depacketizer = {
  codec: 'vp9',
  isFrameStart: (p) => ((p[0] ?? 0) & 0x08) !== 0,
  depacketize(payloads) {
    const layers: Buffer[][] = [];
    for (const p of payloads) {
      const d = vp9DescriptorSize(p);
      if (d < 0) return null;
      if ((p[0] as number) & 0x08 || layers.length === 0) layers.push([]);
      if (d < p.length) (layers[layers.length - 1] as Buffer[]).push(p.subarray(d));
    }
    const frames = layers.map((parts) => Buffer.concat(parts)).filter((f) => f.length > 0);
    if (frames.length === 0) return null;
    if (frames.length === 1) return frames[0] as Buffer;
    return Buffer.concat([...frames, superframeIndex(frames.map((f) => f.length))]);
  },
  isKeyframe(frame) {
    // Uncompressed header: frame_marker(2) profile_low(1) profile_high(1) [reserved(1) if profile 3]
    // show_existing_frame(1) frame_type(1): 0 = KEY_FRAME.
    if (frame.length < 1) return false;
    const b = frame[0] as number;
    if (b >> 6 !== 2) return false;
    const profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
    let bit = profile === 3 ? 5 : 4;
    if ((b >> (7 - bit)) & 1) return false; // show_existing_frame
    bit++;
    return ((b >> (7 - bit)) & 1) === 0;
  },
};
