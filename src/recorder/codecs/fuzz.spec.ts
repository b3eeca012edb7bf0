import { FrameAssembler, type AssembledFrame } from '../rtp/frame-assembler';
import { JitterBuffer } from '../rtp/jitter-buffer';
import { resolveCodec } from '../segment-file';
import { muxSegment } from '../webm/segment-muxer';
import { keyframeDimensions } from './dimensions';

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(['video/VP8', 'video/VP9', 'video/H264', 'video/AV1', 'audio/opus', 'audio/red'])('garbage input (%s)', (mime) => {
  it('never throws: random payloads, markers, losses and reordering', () => {
    const r = rng(mime.length * 7919);
    const c = resolveCodec(mime)!;
    const frames: AssembledFrame[] = [];
    const fa = new FrameAssembler({ kind: c.codec === 'opus' ? 'audio' : 'video', depacketizer: c.depacketizer, redPayloadType: c.red ? 63 : undefined }, (f) => frames.push(f));
    const jb = new JitterBuffer(fa, 50);
    let ts = 0;
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(r() * 40);
      const payload = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
      if (r() < 0.2) ts += 3000;
      const seq = (i + (r() < 0.05 ? 3 : 0) - (r() < 0.05 ? 2 : 0)) & 0xffff;
      if (r() < 0.03) continue; // loss
      expect(() => jb.push(seq, ts, r() < 0.3, payload, i, r() < 0.5 ? 63 : 111)).not.toThrow();
    }
    jb.flush();
    fa.flush();
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) if (f.keyframe) expect(() => keyframeDimensions(c.codec, f.data)).not.toThrow();
    const good = frames.filter((f) => f.complete).map((f, i) => ({ timeMs: i * 20, keyframe: f.keyframe, data: f.data }));
    if (good.length) expect(() => muxSegment({ codec: c.codec, channels: 2 }, good, good.length * 20)).not.toThrow();
  });
});
