import { forEachNal } from './h264';
import { av1SequenceHeader } from './av1';
import { vp8Dimensions } from './vp8';
import type { CodecName } from './depacketizer';

export interface Dimensions {
  width: number;
  height: number;
}

/** MSB-first bit reader with Exp-Golomb; throws RangeError past the end. */
class Bits {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.pos >> 3];
      if (byte === undefined) throw new RangeError('eof');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad ue');
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -k / 2;
  }
}

function vp9(frame: Buffer): Dimensions | undefined {
  const r = new Bits(frame);
  if (r.u(2) !== 2) return undefined;
  const profile = r.u(1) | (r.u(1) << 1);
  if (profile === 3) r.u(1);
  if (r.u(1) || r.u(1)) return undefined; // show_existing_frame, non-key frame_type
  r.u(2); // show_frame, error_resilient_mode
  if (r.u(24) !== 0x498342) return undefined;
  if (profile >= 2) r.u(1);
  if (r.u(3) !== 7) {
    r.u(1);
    if (profile === 1 || profile === 3) r.u(3);
  } else if (profile === 1 || profile === 3) r.u(1);
  return { width: r.u(16) + 1, height: r.u(16) + 1 };
}

function unescapeRbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i] as number);
  }
  return Buffer.from(out);
}

function h264Sps(sps: Buffer): Dimensions | undefined {
  const r = new Bits(unescapeRbsp(sps.subarray(1)));
  const profile = r.u(8);
  r.u(16);
  r.ue();
  let chroma = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    chroma = r.ue();
    if (chroma === 3) r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.u(1)) return undefined; // scaling matrices: not worth parsing for a size hint
  }
  r.ue();
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue();
  r.u(1);
  const wMbs = r.ue() + 1;
  const hMaps = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.u(1);
  r.u(1);
  let width = wMbs * 16;
  let height = (2 - frameMbsOnly) * hMaps * 16;
  if (r.u(1)) {
    const [l, rt, t, b] = [r.ue(), r.ue(), r.ue(), r.ue()];
    const cx = chroma === 1 || chroma === 2 ? 2 : 1;
    const cy = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    width -= cx * (l + rt);
    height -= cy * (t + b);
  }
  return { width, height };
}

function h264(frame: Buffer): Dimensions | undefined {
  let dims: Dimensions | undefined;
  forEachNal(frame, (nal) => {
    if (!dims && ((nal[0] ?? 0) & 0x1f) === 7) dims = h264Sps(nal);
  });
  return dims;
}

function av1(frame: Buffer): Dimensions | undefined {
  const sh = av1SequenceHeader(frame);
  if (!sh) return undefined;
  const r = new Bits(sh.payload);
  r.u(4);
  if (r.u(1)) r.u(5); // reduced_still_picture_header: seq_level_idx[0]
  else {
    if (r.u(1)) return undefined; // timing info present: skip (not sent by WebRTC encoders)
    const idd = r.u(1);
    const ops = r.u(5) + 1;
    for (let i = 0; i < ops; i++) {
      r.u(12);
      if (r.u(5) > 7) r.u(1);
      if (idd && r.u(1)) r.u(4);
    }
  }
  const wb = r.u(4) + 1;
  const hb = r.u(4) + 1;
  return { width: r.u(wb) + 1, height: r.u(hb) + 1 };
}

/** Picture size from a key frame (for the track header), or undefined when it cannot be read. */
export function keyframeDimensions(codec: CodecName, keyframe: Buffer): Dimensions | undefined {
  try {
    if (codec === 'vp8') return vp8Dimensions(keyframe);
    if (codec === 'vp9') return vp9(keyframe);
    if (codec === 'h264') return h264(keyframe);
    if (codec === 'av1') return av1(keyframe);
  } catch {
    // truncated or unexpected header: the size is only a hint for players
  }
  return undefined;
}
