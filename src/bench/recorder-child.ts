/**
 * The benchmark's recorder process: one Bot (werift peers, DTLS/SRTP) in one room, recording every
 * inbound track with RecordingSession (mode recbot) or werift's MediaRecorder (mode baseline).
 * Started by bench.ts with fork(); options as JSON in argv[2]; talks over IPC (bench-ipc.ts).
 */
import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Bot } from '../bot/bot';
import { loadBotMedia } from '../bot/bot-media';
import { DEFAULT_BOT_SETTINGS } from '../bot/bot-settings';
import { loopbackOnlyPeerConfig } from '../bot/peer-config';
import { initLogger } from '../common/logger';
import type { ManifestSegment } from '../manifest/manifest.types';
import { RecordingSession } from '../recorder/recording-session';
import { TrackRecorder } from '../recorder/track-recorder';
import { GdmnSignalingAdapter } from '../signaling/gdmn-signaling.adapter';
import { isTyped, type RecorderChildMessage, type RecorderChildOptions, type RecorderResult } from './bench-ipc';
import { FrameCountingSinkFactory } from './frame-counting-sink';
import { MediaRecorderSinkFactory } from './media-recorder-sink';

function send(m: RecorderChildMessage): void {
  process.send?.(m);
}

/** Segment cut (first frame of the next segment arrived) to durable, per consecutive pair of a track. */
function cutLatencies(segs: readonly ManifestSegment[]): number[] {
  const byTrack = new Map<string, ManifestSegment[]>();
  for (const s of segs) {
    const k = `${s.participantId}/${s.trackKey}/${s.part}`;
    byTrack.set(k, [...(byTrack.get(k) ?? []), s]);
  }
  const out: number[] = [];
  for (const list of byTrack.values()) {
    list.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i + 1 < list.length; i++) {
      const cur = list[i] as ManifestSegment;
      const next = list[i + 1] as ManifestSegment;
      const cut = next.timeline.firstArrivalMs;
      // consecutive and cut at a boundary (not after an outage)
      if (next.seq === cur.seq + 1 && cut - cur.timeline.lastArrivalMs < 1000) out.push(cur.closedMs - cut);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as RecorderChildOptions;
  initLogger({ level: 'warn', pretty: false });
  mkdirSync(o.outDir, { recursive: true });
  const closed: ManifestSegment[] = [];
  const session = o.mode === 'recbot'
    ? await RecordingSession.open({
      recordingId: 'bench', roomId: o.roomId, spoolDir: o.outDir, part: 1, botId: 'bench-bot', segmentSeconds: o.segmentSeconds,
      jitterBufferMs: o.jitterMs, journalFsyncMs: 500, uploadQueueMax: 4096, stallMs: 3000, onSegmentClosed: (seg) => void closed.push(seg),
    })
    : undefined;
  const baseline = o.mode === 'baseline' ? new MediaRecorderSinkFactory(o.outDir) : undefined;
  const counting = new FrameCountingSinkFactory((session ?? baseline) as NonNullable<typeof session | typeof baseline>);
  const signaling = new GdmnSignalingAdapter({ url: o.url, roomId: o.roomId, name: 'Recorder', reconnectBaseDelayMs: 200, reconnectMaxDelayMs: 2000 });
  const bot = new Bot({
    signaling, sinkFactory: counting, media: await loadBotMedia(o.cacheDir),
    settings: { ...DEFAULT_BOT_SETTINGS, callerOfferWaitMs: 1500, emptyRoomTimeoutMs: 3600_000, peerConfigOverrides: loopbackOnlyPeerConfig() },
  });
  await bot.start();
  send({ type: 'ready', botId: signaling.selfId });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let probeMax = 0;
  const probe = setInterval(() => {
    const t = performance.now();
    void stat(o.outDir).then(() => (probeMax = Math.max(probeMax, performance.now() - t)), () => undefined);
  }, 500);
  probe.unref();

  process.on('message', (m: unknown) => {
    if (!isTyped(m)) return;
    if (m.type === 'snapshot') {
      const t = counting.totals();
      const st = bot.status();
      send({ type: 'snapshot', tracksFlowing: counting.counts.filter((c) => c.packets > 0).length, peersConnected: st.peers.filter((p) => p.connection === 'connected').length,
        packets: t.audio.packets + t.video.packets, frames: t.audio.frames + t.video.frames,
        eventLoopDelayP99Ms: loop.percentile(99) / 1e6, eventLoopDelayMaxMs: loop.max / 1e6, threadpoolProbeMaxMs: probeMax });
      loop.reset();
      probeMax = 0;
    } else if (m.type === 'stop') {
      void stop().then((r) => {
        send(r);
        setTimeout(() => process.exit(0), 200);
      }, (err: unknown) => {
        send({ type: 'error', message: String(err) });
        setTimeout(() => process.exit(1), 200);
      });
    }
  });

  async function stop(): Promise<RecorderResult> {
    const t0 = Date.now();
    clearInterval(probe);
    await bot.stop('bench end');
    await session?.close('bench end');
    await baseline?.close();
    const closeMs = Date.now() - t0;
    const res: RecorderResult = { type: 'result', mode: o.mode, received: counting.totals(), files: [], segments: closed.length, cutToDurableMs: cutLatencies(closed), stopToDurableMs: [], closeMs };
    if (session) {
      const w = { audio: { frames: 0, framesBeforeFirstKeyframe: 0, framesDroppedAfterLoss: 0, late: 0, networkLost: 0, writeErrors: 0 }, video: { frames: 0, framesBeforeFirstKeyframe: 0, framesDroppedAfterLoss: 0, late: 0, networkLost: 0, writeErrors: 0 } };
      // every TrackRecorder, per kind (session.stats() sums restarted tracks per participant/trackKey)
      for (const sink of counting.sinks) {
        if (!(sink instanceof TrackRecorder)) continue;
        const t = sink.stats();
        const k = w[sink.info.kind === 'audio' ? 'audio' : 'video'];
        k.frames += t.framesWritten;
        k.framesBeforeFirstKeyframe += t.framesBeforeFirstKeyframe;
        k.framesDroppedAfterLoss += t.framesDroppedAfterLoss;
        k.late += t.late;
        k.networkLost += t.lost;
        k.writeErrors += t.writeErrors + t.journalErrors;
      }
      res.written = w;
      const segs = session.manifest.snapshot().segments;
      res.files = segs.map((s) => ({ kind: (s.trackKey.startsWith('audio') ? 'audio' : 'video') as 'audio' | 'video', file: s.localPath ?? '' })).filter((f) => f.file !== '');
      // the last segment of each track was cut by the stop
      const last = new Map<string, ManifestSegment>();
      for (const s of segs) {
        const k = `${s.participantId}/${s.trackKey}`;
        if ((last.get(k)?.seq ?? -1) < s.seq) last.set(k, s);
      }
      res.stopToDurableMs = [...last.values()].map((s) => s.closedMs - t0);
    }
    if (baseline) res.files = baseline.files().map((f) => ({ file: f.file }));
    return res;
  }
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  setTimeout(() => process.exit(1), 200);
});
