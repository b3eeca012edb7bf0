import { concatPayloads, type Depacketizer } from './depacketizer';

/** Size of the RFC 7741 VP8 payload descriptor at the start of `p`, or -1 when truncated. */
export function vp8DescriptorSize(p: Buffer): number {
  if (p.length < 1) return -1;
  const b0 = p[0] as number;
  let n = 1;
  if (b0 & 0x80) {
    if (p.length < 2) return -1;
    const x = p[1] as number;
    n = 2;
    if (x & 0x80) n += ((p[n] ?? 0) & 0x80) ? 2 : 1; // I: PictureID, M bit selects 15 bits
    if (x & 0x40) n += 1; // L: TL0PICIDX
    if (x & 0x30) n += 1; // T or K: TID/KEYIDX
  }
  return n < p.length ? n : -1;
}

/** VP8 (RFC 7741). */
export const vp8Depacketizer: Depacketizer = {
  codec: 'vp8',
  isFrameStart(p) {
    const b0 = p[0] ?? 0;
    return (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  },
  depacketize(payloads) {
    return concatPayloads(payloads, vp8DescriptorSize);
  },
  isKeyframe(frame) {
    // Frame tag bit 0 is the inverse key frame flag; key frames carry the start code 9d 01 2a.
    return frame.length >= 10 && ((frame[0] as number) & 1) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a;
  },
};

/** Width/height from a VP8 key frame, or undefined. */
export function vp8Dimensions(frame: Buffer): { width: number; height: number } | undefined {
  if (!vp8Depacketizer.isKeyframe(frame)) return undefined;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}
