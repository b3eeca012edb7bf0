import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RtpHeader, RtpPacket } from 'werift';
import { ManifestStore, newManifest } from '../manifest/manifest-store';
import { encodeFrame, encodeHeader, type JournalHeader } from './journal/journal-format';
import { recoverSpool } from './recover-spool';
import { RecordingSession } from './recording-session';

const OPUS = Buffer.from([0xfc, 0x01, 0x02]);

describe('recoverSpool', () => {
  let spool: string;
  beforeEach(async () => {
    spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'recover-'));
  });
  afterEach(() => fsp.rm(spool, { recursive: true, force: true }));

  it('rebuilds a torn journal into a recovered segment, records the crash gap and ends the part', async () => {
    const store = await ManifestStore.open(path.join(spool, 'rec', 'manifest.json'), () => newManifest({ recordingId: 'rec', roomId: 'r', sessionStartMs: 0 }));
    await store.addPart({ part: 1, botId: 'b', startedMs: 0 });
    await store.close();
    const h: JournalHeader = { recordingId: 'rec', participantId: 'p', trackKey: 'audio', seq: 4, part: 1, codec: 'opus', kind: 'audio', clockRate: 48000, channels: 2, createdMs: 0 };
    const frames = Array.from({ length: 50 }, (_, i) => encodeFrame({ rtpTimestamp: 1000 + i * 960, keyframe: true, arrivalFirstMs: 5000 + i * 20, arrivalLastMs: 5000 + i * 20, data: OPUS }));
    const whole = Buffer.concat([encodeHeader(h), ...frames.flat()]);
    const dir = path.join(spool, 'rec', 'p', 'audio');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, '000004.journal'), whole.subarray(0, whole.length - 5)); // torn last record
    await fsp.writeFile(path.join(dir, '.000003.webm.1.tmp'), 'partial');

    const found = await recoverSpool(spool, { now: () => 9000 });
    expect(found).toHaveLength(1);
    const [seg] = found[0]!.recoveredSegments;
    expect(seg).toMatchObject({ seq: 4, frames: 49, recovered: true, container: 'webm' });
    expect(seg!.timeline).toMatchObject({ firstArrivalMs: 5000, lastArrivalMs: 5960, durationMs: 49 * 20 });
    expect(found[0]!.manifest.gaps).toEqual([{ participantId: 'p', trackKey: 'audio', startMs: 5960, endMs: 9000, reason: 'crash' }]);
    expect(found[0]!.manifest.parts[0]).toMatchObject({ endedMs: 9000, endReason: 'crash' });
    expect(found[0]!.pendingSegments).toHaveLength(1);
    expect((await fsp.readdir(dir)).sort()).toEqual(['000004.webm']);
    // Idempotent: a second run finds nothing new.
    expect((await recoverSpool(spool))[0]!.recoveredSegments).toEqual([]);
  });

  it('a kill just after a rollover (empty journal) still ends the track with a crash gap from its last closed segment', async () => {
    const store = await ManifestStore.open(path.join(spool, 'rec', 'manifest.json'), () => newManifest({ recordingId: 'rec', roomId: 'r', sessionStartMs: 0 }));
    await store.addPart({ part: 1, botId: 'b', startedMs: 0 });
    await store.update((m) => {
      m.tracks.push({ participantId: 'p', trackKey: 'audio', kind: 'audio', codec: 'audio/opus', clockRate: 48000, part: 1, startedMs: 1000 });
    });
    await store.addSegment({ participantId: 'p', trackKey: 'audio', seq: 1, part: 1, container: 'webm', key: 'k', size: 10, frames: 200, keyframes: 200, closedMs: 5000,
      timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 191040, firstArrivalMs: 1000, lastArrivalMs: 4980, durationMs: 4000 } });
    await store.close();
    const h: JournalHeader = { recordingId: 'rec', participantId: 'p', trackKey: 'audio', seq: 2, part: 1, codec: 'opus', kind: 'audio', clockRate: 48000, channels: 2, createdMs: 5000 };
    const dir = path.join(spool, 'rec', 'p', 'audio');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, '000002.journal'), encodeHeader(h)); // header only: killed before a frame was flushed

    const [r] = await recoverSpool(spool, { now: () => 5100 });
    expect(r!.recoveredSegments).toEqual([]);
    expect(r!.manifest.gaps).toEqual([{ participantId: 'p', trackKey: 'audio', startMs: 4980, endMs: 5100, reason: 'crash' }]);
    expect(r!.manifest.tracks[0]!.endedMs).toBe(4980);
    expect(await fsp.readdir(dir)).toEqual([]);
    // Idempotent: no second gap.
    expect((await recoverSpool(spool, { now: () => 6000 }))[0]!.manifest.gaps).toHaveLength(1);
  });

  it('a rejoin (part 2) continues segment numbering after the recovered ones', async () => {
    const open = (part: number): Promise<RecordingSession> => RecordingSession.open({ recordingId: 'rec', roomId: 'r', spoolDir: spool, part, botId: `b${part}`,
      segmentSeconds: 10, jitterBufferMs: 50, journalFsyncMs: 50, uploadQueueMax: 4, onSegmentClosed: () => undefined });
    const info = { participantId: 'p', displayName: 'P', kind: 'audio' as const, trackId: 'x', mimeType: 'audio/opus', clockRate: 48000, payloadType: 111, ssrc: 1 };
    const rec = async (s: RecordingSession): Promise<void> => {
      const sink = s.createTrackSink(info, { requestKeyframe: () => undefined });
      for (let i = 0; i < 10; i++) sink.onRtp(new RtpPacket(new RtpHeader({ sequenceNumber: i, timestamp: i * 960, payloadType: 111, ssrc: 1 }), OPUS), 1000 + i * 20);
      await s.close();
    };
    await rec(await open(1));
    const s2 = await open(2);
    await rec(s2);
    const m = s2.manifest.snapshot();
    expect(m.segments.map((x) => [x.seq, x.part])).toEqual([[1, 1], [2, 2]]);
    expect(m.parts.map((p) => p.part)).toEqual([1, 2]);
  });
});
