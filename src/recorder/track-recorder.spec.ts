import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RtpHeader, RtpPacket } from 'werift';
import type { ManifestSegment } from '../manifest/manifest.types';
import { RecordingSession } from './recording-session';
import { DiskGuard } from './disk-guard';
import type { TrackSink } from './track-sink';

const pkt = (seq: number, ts: number, marker: boolean, payload: Buffer): RtpPacket =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, marker, payloadType: 96, ssrc: 1 }), payload);
const OPUS_20MS = Buffer.from([0xfc, 0x01, 0x02]); // CELT 20 ms
const VP8_KEY = Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
const VP8_DELTA = Buffer.from([0x10, 0x51, 0x02, 0x00, 0x11]);

describe('TrackRecorder rotation', () => {
  let spool: string;
  let now = 0;
  let segs: ManifestSegment[];
  let session: RecordingSession;
  let pli = 0;
  beforeEach(async () => {
    spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'trackrec-'));
    now = 1_000_000;
    segs = [];
    pli = 0;
    session = await RecordingSession.open({ recordingId: 'r', roomId: 'room', spoolDir: spool, part: 1, botId: 'b', segmentSeconds: 2, jitterBufferMs: 100,
      journalFsyncMs: 50, uploadQueueMax: 8, stallMs: 500, onSegmentClosed: (s) => void segs.push(s), now: () => now });
  });
  afterEach(async () => {
    await session.close();
    await fsp.rm(spool, { recursive: true, force: true });
  });
  const sink = (kind: 'audio' | 'video'): TrackSink => session.createTrackSink(
    { participantId: 'p', displayName: 'P', kind, trackId: kind, mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', clockRate: kind === 'audio' ? 48000 : 90000, payloadType: 96, ssrc: 1 },
    { requestKeyframe: () => void pli++ });

  it('rotates audio exactly on the boundary, from RTP time (never stretched)', async () => {
    const s = sink('audio');
    for (let i = 0; i < 250; i++) { // 5 s of 20 ms packets, RTP ts starting near the 32-bit wrap
      now = 1_000_000 + i * 20 + (i % 3); // arrival jitter must not change media time
      s.onRtp(pkt(65_000 + i, 2 ** 32 - 48_000 + i * 960, false, OPUS_20MS), now);
    }
    await session.close();
    segs.sort((a, b) => a.seq - b.seq);
    expect(segs.map((x) => [x.seq, x.frames, x.timeline.durationMs])).toEqual([[1, 100, 2000], [2, 100, 2000], [3, 50, 1000]]);
  });

  it('rotates video at the first key frame after the boundary and asks for one there', async () => {
    const s = sink('video');
    s.onRtp(pkt(1, 0, true, VP8_DELTA), now); // before the first key frame: counted, not written
    for (let i = 1; i <= 120; i++) { // 30 fps, key frames at i = 1 and 70 (2.3 s)
      now = 1_000_000 + i * 33;
      s.onRtp(pkt(1 + i, i * 3000, true, i === 1 || i === 70 ? VP8_KEY : VP8_DELTA), now);
    }
    await session.close();
    const st = session.stats().tracks['p/video']!;
    expect(st.framesBeforeFirstKeyframe).toBe(1);
    expect(st.framesWritten).toBe(120);
    expect(pli).toBeGreaterThanOrEqual(2); // start-up + boundary
    segs.sort((a, b) => a.seq - b.seq);
    expect(segs.map((x) => [x.frames, x.keyframes, x.timeline.durationMs])).toEqual([[69, 1, 2300], [51, 1, 1700]]);
  });

  it('records an outage gap when packets stop, and a new segment after it', async () => {
    const s = sink('audio');
    for (let i = 0; i < 10; i++) s.onRtp(pkt(i, i * 960, false, OPUS_20MS), (now = 1_000_000 + i * 20));
    now += 2000;
    await new Promise((r) => setTimeout(r, 100)); // stall detector tick (20 ms timer)
    for (let i = 10; i < 20; i++) s.onRtp(pkt(i, i * 960 + 96_000, false, OPUS_20MS), (now = 1_002_200 + i * 20));
    await session.close();
    const m = session.manifest.snapshot();
    expect(m.gaps).toEqual([expect.objectContaining({ reason: 'outage', startMs: 1_000_180, endMs: 1_002_400 })]);
    expect(m.segments).toHaveLength(2);
  });

  it('relabels an outage as a mute when the sender announces it during the silence', async () => {
    const s = sink('audio');
    for (let i = 0; i < 10; i++) s.onRtp(pkt(i, i * 960, false, OPUS_20MS), (now = 1_000_000 + i * 20));
    now += 2000;
    await new Promise((r) => setTimeout(r, 100)); // stall detector: 'outage'
    s.onPause?.('mute', 1_000_180); // the JOIN audioEnabled:false came in late
    for (let i = 10; i < 20; i++) s.onRtp(pkt(i, i * 960 + 96_000, false, OPUS_20MS), (now = 1_002_200 + i * 20));
    await session.close();
    expect(session.manifest.snapshot().gaps).toEqual([expect.objectContaining({ reason: 'mute', startMs: 1_000_180, endMs: 1_002_400 })]);
  });

  it('a re-delivered track (same trackId, restarted call) closes the old sink; numbering continues; stats add up', async () => {
    const first = sink('audio');
    for (let i = 0; i < 30; i++) first.onRtp(pkt(i, i * 960, false, OPUS_20MS), (now = 1_000_000 + i * 20));
    const second = sink('audio'); // before the first was closed by its feed
    for (let i = 0; i < 20; i++) second.onRtp(pkt(500 + i, 7000 + i * 960, false, OPUS_20MS), (now = 1_001_000 + i * 20));
    await session.close();
    segs.sort((a, b) => a.seq - b.seq);
    expect(segs.map((x) => [x.trackKey, x.seq, x.frames])).toEqual([['audio', 1, 30], ['audio', 2, 20]]);
    expect(session.stats().tracks['p/audio']?.framesWritten).toBe(50);
  });

  it('starts a new segment on a sender restart (new SSRC, timestamps jump backwards)', async () => {
    const s = sink('audio');
    for (let i = 0; i < 20; i++) s.onRtp(pkt(5000 + i, 900_000 + i * 960, false, OPUS_20MS), (now = 1_000_000 + i * 20));
    for (let i = 0; i < 20; i++) {
      const p = pkt(100 + i, 1000 + i * 960, false, OPUS_20MS);
      p.header.ssrc = 2;
      s.onRtp(p, (now = 1_000_400 + i * 20));
    }
    await session.close();
    segs.sort((a, b) => a.seq - b.seq);
    expect(segs.map((x) => [x.frames, x.timeline.durationMs])).toEqual([[20, 400], [20, 400]]);
    expect(session.stats().tracks['p/audio']?.lost).toBe(0);
  });

  it('refuses new tracks when the disk guard reports full', async () => {
    const guard = new DiskGuard(spool, Number.MAX_SAFE_INTEGER);
    await guard.check();
    expect(guard.isFull()).toBe(true);
    expect(guard.freeMb).toBeGreaterThan(0);
    const full = await RecordingSession.open({ recordingId: 'r2', roomId: 'room', spoolDir: spool, part: 1, botId: 'b', segmentSeconds: 2, jitterBufferMs: 100,
      journalFsyncMs: 50, uploadQueueMax: 8, onSegmentClosed: () => undefined, diskGuard: guard });
    expect(() => full.createTrackSink({ participantId: 'p', displayName: 'P', kind: 'audio', trackId: 'a', mimeType: 'audio/opus', clockRate: 48000, payloadType: 111, ssrc: 1 }, { requestKeyframe: () => undefined })).toThrow(/disk full/);
    await full.close();
    guard.close();
  });
});
