/**
 * Issues 5, 16 and 18: how soon after the app admits the bot is every participant's media being
 * written? For each of VP8, VP9, H264 and AV1, two Chromium participants offering only that codec
 * (host and guest, in a call with each other) and three bot joins into their room, as real hosts do it: the host calls the bot (the bot is callee) and sends
 * MAKE_CALL, so the bot calls the guest (the bot is caller). For each join and each participant the
 * time from the host's CALLING reaching the bot to the participant's first audio and first video
 * frame written (the recorder's key-frame gate: the first video frame written is a key frame) is
 * measured; median and p95 are printed and bounded (issue 16: median <= 1 s, p95 <= 2 s).
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

jest.setTimeout(240_000);

const CODECS = ['VP8', 'VP9', 'H264', 'AV1'] as const;
/** Joins per codec (12 in all). */
const JOINS_PER_CODEC = 3;
const JOINS = CODECS.length * JOINS_PER_CODEC;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return (s[lo] as number) + ((s[Math.ceil(i)] as number) - (s[lo] as number)) * (i - lo);
}

describe('admission to media written for every participant (Chromium host and guest, MAKE_CALL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-join-'));
  let signal: SignalingServerHandle;
  const browsers: BrowserParticipant[] = [];
  beforeAll(async () => {
    signal = await startSignalingServer({});
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await signal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`median and p95 over ${JOINS} joins (${JOINS_PER_CODEC} per codec), the bot as callee (host) and as caller (guest, after MAKE_CALL)`, async () => {
    const media = await loadBotMedia(join(dir, 'media-cache'));
    const perRole: Record<'callee' | 'caller', number[]> = { callee: [], caller: [] };
    const lines: string[] = [];
    let i = 0;
    for (const codec of CODECS) {
      const room = `join-${codec}-${Date.now()}`;
      const common = { serverUrl: signal.url, roomId: `video:${room}`, codec, codecOnly: true, video: { width: 320, height: 180, fps: 15 } };
      const host = await BrowserParticipant.launch({ ...common, participantId: 'chrome-host', role: 'host' });
      browsers.push(host);
      const guest = await BrowserParticipant.launch({ ...common, participantId: 'chrome-guest' });
      browsers.push(guest);
      await host.waitFor((s) => s.peers['chrome-guest']?.connectionState === 'connected', 30_000);
      for (let k = 1; k <= JOINS_PER_CODEC; k++) {
        i++;
        const session = await RecordingSession.open({
          recordingId: `rec-join-${i}`, roomId: room, spoolDir: join(dir, 'spool'), part: 1, botId: `bot-${i}`, segmentSeconds: 10,
          jitterBufferMs: 300, journalFsyncMs: 500, uploadQueueMax: 16, onSegmentClosed: () => undefined,
        });
        const firstWritten = new Map<string, number>(); // `${participantId} ${kind}` -> ms
        const factory: TrackSinkFactory = {
          createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink {
            const rec = session.createTrackSink(info, controls) as TrackRecorder;
            const key = `${info.participantId} ${info.kind}`;
            return {
              onRtp(p, arrivalMs) {
                rec.onRtp(p, arrivalMs);
                if (!firstWritten.has(key) && rec.stats().framesWritten > 0) firstWritten.set(key, Date.now());
              },
              onSenderReport: (sr) => rec.onSenderReport(sr),
              onPause: (r, at) => rec.onPause(r, at),
              onResume: (at) => rec.onResume(at),
              close: () => rec.close(),
            };
          },
        };
        const signaling = new GdmnSignalingAdapter({ url: signal.url, roomId: room, name: `Recorder ${i}` });
        let admittedAt: number | undefined;
        signaling.on('callOffered', (c) => {
          if (c.from === 'chrome-host') admittedAt ??= Date.now();
        });
        const bot = new Bot({ signaling, sinkFactory: factory, media, settings: { ...DEFAULT_BOT_SETTINGS, peerConfigOverrides: loopbackOnlyPeerConfig() } });
        const t0 = Date.now();
        await bot.start();
        const all = ['chrome-host audio', 'chrome-host video', 'chrome-guest audio', 'chrome-guest video'];
        const deadline = Date.now() + 20_000;
        while (all.some((k) => !firstWritten.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const missing = all.filter((k) => !firstWritten.has(k));
        expect({ join: i, missing }).toEqual({ join: i, missing: [] });
        const at = admittedAt as number;
        const ready = (pid: string): number => Math.max(firstWritten.get(`${pid} audio`) as number, firstWritten.get(`${pid} video`) as number) - at;
        perRole.callee.push(ready('chrome-host'));
        perRole.caller.push(ready('chrome-guest'));
        lines.push(`join ${i} (${codec}): in room +${at - t0} ms (JOIN -> host's CALLING); host audio/video +${(firstWritten.get('chrome-host audio') as number) - at}/${(firstWritten.get('chrome-host video') as number) - at} ms, ` +
          `guest audio/video +${(firstWritten.get('chrome-guest audio') as number) - at}/${(firstWritten.get('chrome-guest video') as number) - at} ms after admission`);
        await bot.stop('test end');
        await session.close('test end');
        await session.manifest.close();
        await new Promise((r) => setTimeout(r, 500));
      }
      const events = (await host.stats()).log.concat((await guest.stats()).log).filter((e) => e.event.includes('restart'));
      expect({ codec, restarts: events }).toEqual({ codec, restarts: [] });
      await Promise.all(browsers.splice(0).map((b) => b.close()));
    }
    const everyone = perRole.callee.map((c, k) => Math.max(c, perRole.caller[k] as number));
    const stats = (xs: number[]): string => `median ${quantile(xs, 0.5).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms, max ${Math.max(...xs)} ms`;
    console.log(`admission -> audio and video written (ms), ${JOINS} joins\n  host (bot is callee): ${perRole.callee.join(', ')}; ${stats(perRole.callee)}\n` +
      `  guest (bot is caller after MAKE_CALL): ${perRole.caller.join(', ')}; ${stats(perRole.caller)}\n  everyone: ${stats(everyone)}\n  ${lines.join('\n  ')}`);
    // Issue 16's targets. Measured at load average 6.5 (the suite running beside it): everyone median
    // 425 ms, p95 770 ms; at load 23 median 1.4 s, p95 2.3 s.
    expect(quantile(everyone, 0.5)).toBeLessThanOrEqual(1000);
    expect(quantile(everyone, 0.95)).toBeLessThanOrEqual(2000);
  });
});
