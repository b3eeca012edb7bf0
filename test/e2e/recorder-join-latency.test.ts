/**
 * Issue 5, test 6: how long after the bot starts to join a call does the recorder hold the first
 * video key frame of a real Chromium host? Ten joins into the same room (Bot + RecordingSession);
 * the median is printed and bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { DEFAULT_BOT_SETTINGS } from '../../src/bot/bot-settings';
import { loopbackOnlyPeerConfig } from '../../src/bot/peer-config';
import { RecordingSession } from '../../src/recorder/recording-session';
import type { TrackRecorder } from '../../src/recorder/track-recorder';
import type { InboundTrackInfo, TrackControls, TrackSink, TrackSinkFactory } from '../../src/recorder/track-sink';
import { GdmnSignalingAdapter } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant } from '../../src/testworld/browser/browser-participant';

jest.setTimeout(150_000);

const JOINS = 10;

describe('join to first video key frame (Chromium host)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-join-'));
  let signal: SignalingServerHandle;
  let host: BrowserParticipant | undefined;
  beforeAll(async () => {
    signal = await startSignalingServer({});
  });
  afterAll(async () => {
    await host?.close();
    await signal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`median over ${JOINS} joins`, async () => {
    const room = `join-${Date.now()}`;
    host = await BrowserParticipant.launch({ serverUrl: signal.url, roomId: `video:${room}`, participantId: 'chrome-host', role: 'host', codec: 'VP8' });
    const media = await loadBotMedia(join(dir, 'media-cache'));
    const times: number[] = [];
    const steps: string[] = [];
    for (let i = 1; i <= JOINS; i++) {
      const session = await RecordingSession.open({
        recordingId: `rec-join-${i}`, roomId: room, spoolDir: join(dir, 'spool'), part: 1, botId: `bot-${i}`, segmentSeconds: 10,
        jitterBufferMs: 300, journalFsyncMs: 500, uploadQueueMax: 16, onSegmentClosed: () => undefined,
      });
      let firstKeyframeAt: number | undefined;
      let resolveKf: () => void = () => undefined;
      const gotKf = new Promise<void>((r) => (resolveKf = r));
      // Watch the recorder: its first written video frame is, by its key-frame gate, a key frame.
      const factory: TrackSinkFactory = {
        createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink {
          const rec = session.createTrackSink(info, controls) as TrackRecorder;
          if (info.kind !== 'video') return rec;
          return {
            onRtp(p, arrivalMs) {
              rec.onRtp(p, arrivalMs);
              if (firstKeyframeAt === undefined && rec.stats().framesWritten > 0) {
                firstKeyframeAt = Date.now();
                resolveKf();
              }
            },
            onSenderReport: (sr) => rec.onSenderReport(sr),
            onPause: (r, at) => rec.onPause(r, at),
            onResume: (at) => rec.onResume(at),
            close: () => rec.close(),
          };
        },
      };
      const signaling = new GdmnSignalingAdapter({ url: signal.url, roomId: room, name: `Recorder ${i}` });
      const bot = new Bot({ signaling, sinkFactory: factory, media, settings: { ...DEFAULT_BOT_SETTINGS, peerConfigOverrides: loopbackOnlyPeerConfig() } });
      const marks: Record<string, number> = {};
      bot.on('peerState', (e) => {
        marks[e.state] ??= Date.now();
      });
      bot.on('track', (info) => {
        marks[`rtp-${info.kind}`] ??= Date.now();
      });
      const t0 = Date.now();
      await bot.start();
      marks.joined = Date.now();
      await Promise.race([gotKf, new Promise((_, rej) => setTimeout(() => rej(new Error(`join ${i}: no key frame in 15 s`)), 15_000))]);
      times.push((firstKeyframeAt as number) - t0);
      steps.push(Object.entries({ ...marks, keyframe: firstKeyframeAt as number }).sort((a, b) => a[1] - b[1]).map(([k, t]) => `${k} +${t - t0}`).join(' '));
      await bot.stop('test end');
      await session.close('test end');
      await session.manifest.close();
      await new Promise((r) => setTimeout(r, 300));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = ((sorted[4] as number) + (sorted[5] as number)) / 2;
    console.log(`join -> first video key frame over ${JOINS} joins (ms): ${times.join(', ')}; median ${median} ms, max ${sorted[sorted.length - 1]} ms\n  ${steps.join('\n  ')}`);
    expect(times).toHaveLength(JOINS);
    expect(median).toBeLessThan(3000);
  });
});
