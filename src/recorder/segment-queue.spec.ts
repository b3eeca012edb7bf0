import type { ManifestSegment } from '../manifest/manifest.types';
import { SegmentQueue } from './segment-queue';

const seg = (seq: number): ManifestSegment => ({ participantId: 'p', trackKey: 'audio', seq, part: 1, container: 'webm', frames: 1, keyframes: 1, closedMs: 0,
  timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 0, firstArrivalMs: 0, lastArrivalMs: 0, durationMs: 0 } });

describe('SegmentQueue', () => {
  it('delivers in order, one at a time, and counts overflow without blocking', async () => {
    const got: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const q = new SegmentQueue(2, async (s) => {
      await gate;
      got.push(s.seq);
    });
    expect(q.push(seg(1))).toBe(true);
    expect(q.push(seg(2))).toBe(true);
    expect(q.push(seg(3))).toBe(false);
    expect(q.stats()).toMatchObject({ depth: 2, overflow: 1 });
    release();
    await q.drain();
    expect(got).toEqual([1, 2]);
    expect(q.stats()).toMatchObject({ depth: 0, delivered: 2, overflow: 1 });
  });

  it('keeps going after a consumer failure', async () => {
    const errors: number[] = [];
    const q = new SegmentQueue(4, (s) => {
      if (s.seq === 1) throw new Error('boom');
    }, Date.now, (_e, s) => void errors.push(s.seq));
    q.push(seg(1));
    q.push(seg(2));
    await q.drain();
    expect(errors).toEqual([1]);
    expect(q.stats()).toMatchObject({ delivered: 1, failed: 1 });
  });
});
