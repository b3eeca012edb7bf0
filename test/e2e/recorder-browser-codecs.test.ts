/**
 * Issue 5, tests 1 and 2: a real Chromium participant (fake camera + microphone) sends VP8, VP9,
 * H264 or AV1 video and Opus audio to the bot of the whole service (POST /v1/recordings). Every
 * segment must decode without a single ffmpeg error, carry Cues and a Duration within 50 ms of its
 * content, and seek; the frames written must equal the frames Chromium sent; audio and video must
 * span the same wall-clock time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant } from '../../src/testworld/browser/browser-participant';
import {
  checkSegmentFile, exposePeerConnections, rtpEndMs, getManifest, segmentFile, sentStats, setSending, startRecbot, type Recbot, startRecording,
  stopRecording, trackSegments, trackSpan, waitManifest,
} from './recorder-harness';

jest.setTimeout(200_000);

/** Frames Chromium counted as sent but the bot never saw: at most this many (start/stop in flight). */
const FRAME_TOLERANCE = 2;

describe('recorder with a real Chromium participant (whole service)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-codecs-'));
  let svc: Recbot;
  let signal: SignalingServerHandle;
  const browsers: BrowserParticipant[] = [];
  beforeAll(async () => {
    svc = await startRecbot(dir);
    signal = await startSignalingServer({});
  });
  afterEach(async () => {
    await Promise.all(browsers.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await signal?.close();
    await svc?.close();
    if (!process.env.RECBOT_KEEP_E2E) rmSync(dir, { recursive: true, force: true });
  });

  const record = async (codec: string, seconds: number): Promise<void> => {
    const room = `codec-${codec.toLowerCase()}-${Date.now()}`;
    const host = await BrowserParticipant.launch({ serverUrl: signal.url, roomId: `video:${room}`, participantId: 'chrome-host', name: 'Chrome', role: 'host', codec });
    browsers.push(host);
    await exposePeerConnections(host);
    const id = await startRecording(svc.url, { signalingUrl: signal.url, roomId: room });
    await waitManifest(svc.url, id, (m) => m.tracks.some((t) => t.kind === 'video') && m.tracks.some((t) => t.kind === 'audio'), 30_000, 'both tracks recording');
    await new Promise((r) => setTimeout(r, seconds * 1000));
    // Stop sending first, so that Chromium's counters are final when compared with what was written.
    await setSending(host, false);
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1200));
    const sent = await sentStats(host);
    const m = await stopRecording(svc.url, id);
    expect(sent.codec.toLowerCase()).toBe(`video/${codec.toLowerCase()}`);
    expect(m.tracks.find((t) => t.kind === 'video')?.codec.toLowerCase()).toBe(`video/${codec.toLowerCase()}`);

    const video = trackSegments(m, 'chrome-host', 'video');
    const audio = trackSegments(m, 'chrome-host', 'audio');
    expect(video.length).toBeGreaterThanOrEqual(Math.floor(seconds / 10));
    expect(audio.length).toBeGreaterThanOrEqual(Math.floor(seconds / 10));
    const lines: string[] = [];
    const checks: { seg: string; decode: string; seek: string; cues: boolean; durationOk: boolean; frames: boolean }[] = [];
    for (const segs of [video, audio]) {
      for (const [i, s] of segs.entries()) {
        const c = await checkSegmentFile(segmentFile(svc, s));
        // Content end: the last frame's start + the median frame interval, or (when the next segment
        // follows directly) the RTP distance to the next segment's first frame, which is where the
        // last frame really ends (Chromium sometimes skips frames under CPU load before a key frame).
        const next = rtpEndMs(s, segs[i + 1], s.trackKey === 'audio' ? 48_000 : 90_000);
        const durationOk = Math.abs(c.durationMs - c.contentEndMs) <= 50 || (next !== undefined && Math.abs(c.durationMs - next) <= 50);
        lines.push(`${s.trackKey}/${s.seq}: ${c.codec} ${c.packets} frames, Duration ${c.durationMs.toFixed(0)} ms, last frame + interval ${c.contentEndMs.toFixed(0)} ms` +
          `${next !== undefined ? `, next segment at ${next.toFixed(0)} ms` : ''}${c.nullMuxerDts ? `, null-muxer dts collisions ${c.nullMuxerDts}` : ''}`);
        checks.push({ seg: `${s.trackKey}/${s.seq}`, decode: c.decodeErrors, seek: c.seekErrors, cues: c.cues, durationOk, frames: c.packets === s.frames });
      }
    }
    console.log(`${codec} ${seconds} s segments:\n  ${lines.join('\n  ')}`);
    for (const c of checks) expect(c).toEqual({ seg: c.seg, decode: '', seek: '', cues: true, durationOk: true, frames: true });
    const written = video.reduce((n, s) => n + s.frames, 0);
    const a = trackSpan(audio);
    const v = trackSpan(video);
    console.log(`${codec} ${seconds} s: Chromium sent ${sent.framesSent} frames (encoded ${sent.framesEncoded}), recorder wrote ${written}; ` +
      `audio span ${a.endMs - a.startMs} ms, video span ${v.endMs - v.startMs} ms (start diff ${a.startMs - v.startMs} ms, end diff ${a.endMs - v.endMs} ms)`);
    // No loss injected on loopback: every frame Chromium sent is written.
    expect(written).toBeLessThanOrEqual(sent.framesSent);
    expect(sent.framesSent - written).toBeLessThanOrEqual(FRAME_TOLERANCE);
    // With every sent frame written, the spans' difference is Chromium's own start/stop order: its
    // first video frame follows the first audio by up to ~100 ms (CI measured -104 ms for VP9 once).
    expect(Math.abs(a.startMs - v.startMs)).toBeLessThanOrEqual(250);
    expect(Math.abs(a.endMs - v.endMs)).toBeLessThanOrEqual(250);
    // No gap during the call (once Chromium stops sending, a slow stop may add a final 'outage'),
    // except the short freeze of a frame lost on the loaded loopback (within FRAME_TOLERANCE above):
    // the recorder drops the broken frame, asks for a key frame and labels the freeze 'loss' (CI once:
    // 494/495 VP9 frames, a 17 ms 'loss' gap). One such gap per missing frame at most, each < 1 s.
    const during = m.gaps.filter((g) => g.participantId === 'chrome-host' && g.startMs < stoppedAt - 500);
    if (during.length > 0) console.log(`${codec}: gaps during the call ${JSON.stringify(during.map((g) => ({ track: g.trackKey, reason: g.reason, ms: g.endMs - g.startMs })))}`);
    expect(during.filter((g) => g.reason !== 'loss')).toEqual([]);
    expect(during.length).toBeLessThanOrEqual(sent.framesSent - written);
    for (const g of during) expect(g.endMs - g.startMs).toBeLessThan(1000);
    const final = await getManifest(svc.url, id);
    expect(final.segments.every((s) => s.uploadedMs && s.md5)).toBe(true);
  };

  it('mute: the participant turns mic and camera off for 20 s mid-call (replaceTrack(null) + JOIN); the manifest shows a 20 s mute gap, segments + gaps cover the call', async () => {
    const room = `mute-${Date.now()}`;
    const host = await BrowserParticipant.launch({ serverUrl: signal.url, roomId: `video:${room}`, participantId: 'chrome-host', name: 'Chrome', role: 'host', codec: 'VP8' });
    browsers.push(host);
    await exposePeerConnections(host);
    const id = await startRecording(svc.url, { signalingUrl: signal.url, roomId: room });
    await waitManifest(svc.url, id, (m) => m.tracks.length >= 2, 30_000, 'both tracks recording');
    await new Promise((r) => setTimeout(r, 8000));
    // The app's mic and camera buttons: replaceTrack(null) and a JOIN with audioEnabled/videoEnabled false.
    await Promise.all([host.setMedia('audio', false), host.setMedia('video', false)]);
    const mutedAt = Date.now();
    await new Promise((r) => setTimeout(r, 20_000));
    await Promise.all([host.setMedia('audio', true), host.setMedia('video', true)]);
    const unmutedAt = Date.now();
    await new Promise((r) => setTimeout(r, 8000));
    await setSending(host, false);
    const endAt = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const m = await stopRecording(svc.url, id);
    const out: string[] = [];
    for (const trackKey of ['audio', 'video']) {
      // (a slow stop may add a final 'outage' after Chromium stopped sending at endAt: not part of the call)
      const gaps = m.gaps.filter((g) => g.participantId === 'chrome-host' && g.trackKey === trackKey && g.startMs < endAt - 500);
      expect(gaps).toHaveLength(1);
      const g = gaps[0]!;
      const segs = trackSegments(m, 'chrome-host', trackKey);
      const span = trackSpan(segs);
      const media = segs.reduce((n, x) => n + x.timeline.durationMs, 0);
      out.push(`${trackKey}: gap ${g.endMs - g.startMs} ms (${g.reason}; test muted for ${unmutedAt - mutedAt} ms), span ${span.endMs - span.startMs} ms = media ${media} ms + gap`);
      expect(Math.abs(g.endMs - g.startMs - 20_000)).toBeLessThanOrEqual(500);
      expect(g.reason).toBe('mute');
      // Media before the gap ends where the gap starts; media after starts where it ends.
      expect(Math.abs(media + (g.endMs - g.startMs) - (span.endMs - span.startMs))).toBeLessThanOrEqual(500);
      expect(span.endMs - span.startMs).toBeGreaterThan(35_000);
      for (const x of segs) {
        const c = await checkSegmentFile(segmentFile(svc, x));
        expect(c.decodeErrors).toBe('');
      }
    }
    console.log(`mute 20 s: ${out.join('; ')}`);
  });

  it('VP8 + Opus, 60 s', () => record('VP8', 60));
  it('VP9 + Opus, 20 s', () => record('VP9', 20));
  it('H264 + Opus, 20 s', () => record('H264', 20));
  it('AV1 + Opus, 20 s', () => record('AV1', 20));
});
