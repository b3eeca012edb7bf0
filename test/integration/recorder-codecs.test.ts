/**
 * Real encoded media (ffmpeg -> RTP on loopback) through RecordingSession/TrackRecorder with
 * Chrome-like padding, reordering, duplicates, sequence wrap-around and loss; every segment is
 * checked with ffmpeg/ffprobe.
 */
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RtpPacket } from 'werift';
import type { ManifestSegment } from '../../src/manifest/manifest.types';
import { RecordingSession } from '../../src/recorder/recording-session';
import { captureRtp, type TestCodec } from '../../src/recorder/testing/rtp-capture';
import { checkSegment, hasIndexedCues } from '../../src/recorder/testing/media-check';
import { feed, mangle, type MangleOptions } from '../../src/recorder/testing/rtp-mangle';
import type { TrackStats } from '../../src/recorder/track-recorder';

jest.setTimeout(60_000);

const MIME: Record<TestCodec, string> = { vp8: 'video/VP8', vp9: 'video/VP9', h264: 'video/H264', av1: 'video/AV1', opus: 'audio/opus' };
const SECONDS = 5;
const captured = new Map<TestCodec, RtpPacket[]>();
let spool: string;

beforeAll(async () => {
  spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-rec-'));
  for (const c of ['vp8', 'vp9', 'h264', 'av1', 'opus'] as TestCodec[]) captured.set(c, await captureRtp(c, SECONDS));
});
afterAll(async () => {
  await fsp.rm(spool, { recursive: true, force: true });
});

async function record(codec: TestCodec, mangleOpts: MangleOptions, name: string): Promise<{ segs: ManifestSegment[]; stats: TrackStats; keyframeRequests: number; session: RecordingSession }> {
  let now = 1_700_000_000_000;
  const segs: ManifestSegment[] = [];
  const session = await RecordingSession.open({
    recordingId: `rec-${codec}-${name}`, roomId: 'room', spoolDir: spool, part: 1, botId: 'bot-1',
    segmentSeconds: 2, jitterBufferMs: 300, journalFsyncMs: 100, uploadQueueMax: 16, stallMs: 60_000,
    onSegmentClosed: (s) => void segs.push(s), now: () => now,
  });
  let keyframeRequests = 0;
  const audio = codec === 'opus';
  const sink = session.createTrackSink(
    { participantId: 'alice', displayName: 'Alice', kind: audio ? 'audio' : 'video', trackId: 't1', mimeType: MIME[codec], clockRate: audio ? 48000 : 90000, payloadType: 96, ssrc: 1, channels: audio ? 2 : undefined },
    { requestKeyframe: () => void keyframeRequests++ },
  );
  const packets = mangle(captured.get(codec) ?? [], mangleOpts);
  feed(sink, packets, audio ? 48000 : 90000, now, (ms) => (now = ms));
  now += 1000;
  await session.close('test', { drain: true });
  const stats = session.stats().tracks['alice/' + (audio ? 'audio' : 'video')] as TrackStats;
  return { segs: segs.sort((a, b) => a.seq - b.seq), stats, keyframeRequests, session };
}

function sourceFrames(codec: TestCodec): number {
  return new Set((captured.get(codec) ?? []).map((p) => p.header.timestamp)).size;
}

describe.each(['vp8', 'vp9', 'h264', 'av1', 'opus'] as TestCodec[])('%s', (codec) => {
  it('records clean, seekable 2 s segments through padding, reordering, duplicates and seq wrap', async () => {
    const { segs, stats, keyframeRequests, session } = await record(codec, { startSeq: 65_500, paddingEvery: 7, swapEvery: 11, duplicateEvery: 29 }, 'clean');
    expect(stats.lost).toBe(0);
    expect(stats.paddingDropped).toBeGreaterThan(10);
    expect(stats.recovered).toBeGreaterThan(5);
    expect(stats.framesWritten).toBe(sourceFrames(codec));
    expect(stats.framesBeforeFirstKeyframe).toBe(0);
    expect(segs.length).toBe(3);
    if (codec !== 'opus') expect(keyframeRequests).toBeGreaterThanOrEqual(1);
    let frames = 0;
    for (const s of segs) {
      const bytes = await fsp.readFile(s.localPath as string);
      expect(hasIndexedCues(bytes)).toBe(true);
      // Video track header carries the picture size read from the key frame: PixelWidth 320, PixelHeight 240.
      if (codec !== 'opus') expect(bytes.includes(Buffer.from('e087b0820140ba81f0', 'hex'))).toBe(true);
      const r = await checkSegment(s.localPath as string);
      expect(r.decodeErrors).toBe('');
      expect(r.seekErrors).toBe('');
      expect(r.packets).toBe(s.frames);
      const frameMs = codec === 'opus' ? 20 : 1000 / 30;
      expect(Math.abs(r.durationMs - s.frames * frameMs)).toBeLessThan(50);
      expect(Math.abs(r.durationMs - s.timeline.durationMs)).toBeLessThan(2);
      expect(s.container).toBe(codec === 'h264' ? 'mkv' : 'webm');
      frames += s.frames;
    }
    expect(frames).toBe(sourceFrames(codec));
    // Rotation: first segments are 2 s of media (video rotates on the key frame after the boundary).
    expect(Math.abs((segs[0] as ManifestSegment).timeline.durationMs - 2000)).toBeLessThan(codec === 'opus' ? 25 : 40);
    const m = session.manifest.snapshot();
    expect(m.segments.length).toBe(3);
    expect(m.tracks[0]?.endedMs).toBeDefined();
    const left = await fsp.readdir(path.dirname((segs[0] as ManifestSegment).localPath as string));
    expect(left.filter((f) => f.endsWith('.journal'))).toEqual([]);
  });

  it('survives real loss: counts it, stays decodable', async () => {
    const n = captured.get(codec)?.length ?? 0;
    const { segs, stats } = await record(codec, { drop: [Math.floor(n * 0.3), Math.floor(n * 0.3) + 1, Math.floor(n * 0.7)] }, 'loss');
    expect(stats.lost).toBe(3);
    if (codec !== 'opus') expect(stats.framesDroppedAfterLoss).toBeGreaterThan(0);
    expect(stats.framesWritten).toBeLessThan(sourceFrames(codec));
    for (const s of segs) {
      const r = await checkSegment(s.localPath as string);
      expect(r.decodeErrors).toBe('');
      expect(r.packets).toBe(s.frames);
    }
  });
});
