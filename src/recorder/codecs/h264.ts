import type { Depacketizer } from './depacketizer';

const START = Buffer.from([0, 0, 0, 1]);

/** H.264 (RFC 6184, packetization-mode 0/1: single NAL, STAP-A, FU-A) to Annex B. */
export const h264Depacketizer: Depacketizer = {
  codec: 'h264',
  isFrameStart(p) {
    const t = (p[0] ?? 0) & 0x1f;
    if (t === 28) return ((p[1] ?? 0) & 0x80) !== 0;
    return t > 0 && t < 25;
  },
  depacketize(payloads) {
    const parts: Buffer[] = [];
    let inFu = false;
    for (const p of payloads) {
      if (p.length < 1) continue;
      const t = (p[0] as number) & 0x1f;
      if (t >= 1 && t <= 23) {
        parts.push(START, p);
      } else if (t === 24) {
        let o = 1;
        while (o + 2 <= p.length) {
          const size = p.readUInt16BE(o);
          o += 2;
          if (size === 0 || o + size > p.length) return null;
          parts.push(START, p.subarray(o, o + size));
          o += size;
        }
      } else if (t === 28) {
        if (p.length < 2) return null;
        const fu = p[1] as number;
        if (fu & 0x80) {
          parts.push(START, Buffer.from([((p[0] as number) & 0xe0) | (fu & 0x1f)]));
          inFu = true;
        } else if (!inFu) return null; // continuation without its start
        parts.push(p.subarray(2));
        if (fu & 0x40) inFu = false;
      } else return null; // STAP-B, MTAP, FU-B: not used by WebRTC
    }
    return parts.length > 0 ? Buffer.concat(parts) : null;
  },
  isKeyframe(frame) {
    let sps = false, pps = false, idr = false;
    forEachNal(frame, (nal) => {
      const t = (nal[0] ?? 0) & 0x1f;
      if (t === 7) sps = true;
      else if (t === 8) pps = true;
      else if (t === 5) idr = true;
    });
    return sps && pps && idr;
  },
};

/** Calls fn with each NAL unit (without start code) of an Annex B buffer. */
export function forEachNal(buf: Buffer, fn: (nal: Buffer) => void): void {
  let i = 0;
  let start = -1;
  const n = buf.length;
  while (i + 2 < n) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (start >= 0) {
        let end = i;
        if (end > start && buf[end - 1] === 0) end--; // 4-byte start code
        fn(buf.subarray(start, end));
      }
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < n) fn(buf.subarray(start));
}

/** Annex B -> AVCC (4-byte big-endian lengths). */
export function annexBToAvcc(buf: Buffer): Buffer {
  const nals: Buffer[] = [];
  forEachNal(buf, (nal) => nals.push(nal));
  let size = 0;
  for (const nal of nals) size += 4 + nal.length;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const nal of nals) {
    out.writeUInt32BE(nal.length, o);
    o += 4 + nal.copy(out, o + 4);
  }
  return out;
}

/** AVCDecoderConfigurationRecord from the first SPS and PPS of an Annex B key frame, or undefined. */
export function avcDecoderConfig(keyframe: Buffer): Buffer | undefined {
  let sps: Buffer | undefined;
  let pps: Buffer | undefined;
  forEachNal(keyframe, (nal) => {
    const t = (nal[0] ?? 0) & 0x1f;
    if (t === 7 && !sps) sps = nal;
    if (t === 8 && !pps) pps = nal;
  });
  if (!sps || !pps || sps.length < 4) return undefined;
  const head = Buffer.from([1, sps[1] as number, sps[2] as number, sps[3] as number, 0xff, 0xe1]);
  const sl = Buffer.alloc(2);
  sl.writeUInt16BE(sps.length);
  const pl = Buffer.alloc(3);
  pl[0] = 1;
  pl.writeUInt16BE(pps.length, 1);
  return Buffer.concat([head, sl, sps, pl, pps]);
}
