import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GdmnSignalingAdapter } from '../signaling/gdmn-signaling.adapter';
import { sleep } from '../testworld/synthetic/test-world';
import type { RecorderChildMessage, RecorderMode, RecorderParentMessage, RecorderResult, SenderChildMessage, SenderParentMessage } from './bench-ipc';
import { median, percentile, round } from './bench-stats';
import { ChildLink } from './child-link';
import { cpuPercent, sampleProc, udpDrops, type ProcSample } from './proc-sampler';

const run = promisify(execFile);

export interface RunOptions {
  mode: RecorderMode;
  participants: number;
  seconds: number;
  videoKbps: number;
  perSender: number;
  segmentSeconds: number;
  jitterMs: number;
  url: string;
  cacheDir: string;
  /** Extra node flags for the recorder child (e.g. --cpu-prof). */
  recorderExecArgv: string[];
  log: (msg: string) => void;
}

/** Measured numbers of one run of one recorder (all counts over the whole recording unless *Window). */
export interface RunMetrics {
  mode: RecorderMode;
  participants: number;
  /** Participants whose audio and video reached the recorder (per-participant numbers divide by this). */
  connected: number;
  complete: boolean;
  windowSeconds: number;
  cpuPercent: number;
  cpuPercentPerParticipant: number;
  /**
   * cpuPercentPerParticipant scaled by packets sent / packets received in the window: what the
   * recorder would use if the kernel had not dropped what it could not read in time (an estimate;
   * CPU per packet measured ~constant from 900 to 1700 packets/s).
   */
  cpuPercentPerParticipantAtSentRate: number;
  /** Worst per-10 s p99 / max event-loop delay of the recorder in the window, ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Slowest thread-pool round trip in the window, ms. */
  threadpoolProbeMaxMs: number;
  rssMbPeak: number;
  rssMbMean: number;
  /** (peak RSS in the window - RSS of the idle recorder process) / participants. */
  rssMbPerParticipant: number;
  /** Peak RSS / participants (idle process included). */
  rssMbPerParticipantInclProcess: number;
  idleRssMb: number;
  idleCpuPercent: number;
  packetsReceived: number;
  framesReceived: number;
  /** Frames in the output files, counted by ffprobe. */
  framesWritten: number;
  /** recbot only: frames written by the recorder's own counters. */
  framesWrittenCounted?: number;
  /** Video frames before the first keyframe (undecodable, not counted as loss). recbot only. */
  framesBeforeFirstKeyframe?: number;
  /** Video frames after a packet the network lost, until the next keyframe (undecodable, not counted as recorder loss). recbot only. */
  framesDroppedAfterNetworkLoss?: number;
  /** Packets never received (gaps in sequence numbers after the jitter buffer's wait). recbot only. */
  networkLostPackets?: number;
  /** Packets that came after the jitter buffer gave up on them (dropped; counted in recorder loss via frames). recbot only. */
  latePackets?: number;
  recorderLostFrames: number;
  /** Audio: exact (one packet per frame); video: lost frames x mean packets per frame. */
  recorderLostPackets: number;
  perKind: Record<'audio' | 'video', { packetsReceived: number; framesReceived: number; framesWritten: number }>;
  /** Packets sent by the senders vs received by the recorder's sinks in the measured window. */
  packetsSentWindow: number;
  packetsReceivedWindow: number;
  /** System-wide UDP receive-buffer drops during the window (the kernel dropped what a busy process did not read). */
  udpRcvbufErrorsWindow?: number;
  senderCpuPercent: number;
  segments: number;
  segmentCutToDurableMs?: { median?: number; p95?: number; count: number };
  segmentStopToDurableMs?: { median?: number; p95?: number; count: number };
  closeMs: number;
  /** 1-minute load average of the machine at the start and end of the window (other work competes). */
  loadAvg1: [number, number];
}

/** Packets per stream type in a media file (ffprobe -count_packets). */
async function countPackets(file: string): Promise<Record<'audio' | 'video', number>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,nb_read_packets', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { streams?: { codec_type?: string; nb_read_packets?: string }[] };
  const out = { audio: 0, video: 0 };
  for (const s of j.streams ?? []) if (s.codec_type === 'audio' || s.codec_type === 'video') out[s.codec_type] += Number(s.nb_read_packets ?? 0);
  return out;
}

async function countAll(files: string[]): Promise<Record<'audio' | 'video', number>> {
  const total = { audio: 0, video: 0 };
  const queue = [...files];
  await Promise.all([0, 1].map(async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const c = await countPackets(f).catch(() => ({ audio: 0, video: 0 }));
      total.audio += c.audio;
      total.video += c.video;
    }
  }));
  return total;
}

function summary(xs: number[]): { median?: number; p95?: number; count: number } {
  return { median: round(median(xs), 1), p95: round(percentile(xs, 95), 1), count: xs.length };
}

/** One benchmark run: recorder child + sender children in a fresh room, measured over `seconds`. */
export async function runOnce(o: RunOptions): Promise<RunMetrics> {
  const roomId = `bench-${randomUUID()}`;
  const outDir = mkdtempSync(join(tmpdir(), `recbot-bench-${o.mode}-`));
  const recorder = new ChildLink<RecorderParentMessage, RecorderChildMessage>(join(__dirname, 'recorder-child.js'),
    { mode: o.mode, url: o.url, roomId, outDir, cacheDir: o.cacheDir, segmentSeconds: o.segmentSeconds, jitterMs: o.jitterMs }, o.recorderExecArgv);
  const senders: ChildLink<SenderParentMessage, SenderChildMessage>[] = [];
  const coordinator = new GdmnSignalingAdapter({ url: o.url, roomId, name: 'Bench coordinator' });
  try {
    const { botId } = await recorder.next('ready', 60_000);
    // idle recorder process: joined the room, no peers yet
    await sleep(2000);
    const idleA = sampleProc(recorder.pid);
    await sleep(4000);
    const idleB = sampleProc(recorder.pid);
    if (!idleA || !idleB) throw new Error('recorder process gone');
    o.log(`${o.mode}: idle recorder ${idleB.rssMb.toFixed(1)} MB; starting ${o.participants} participants`);

    for (let i = 0; i < o.participants; i += o.perSender) {
      const names = Array.from({ length: Math.min(o.perSender, o.participants - i) }, (_, k) => `P${String(i + k + 1).padStart(3, '0')}`);
      senders.push(new ChildLink(join(__dirname, 'sender-child.js'), { url: o.url, roomId, names, cacheDir: o.cacheDir, videoKbps: o.videoKbps, botId }));
    }
    const ids = (await Promise.all(senders.map((s) => s.next('ready', 90_000)))).flatMap((r) => r.ids);
    await coordinator.connect();
    // the recorder calls each participant (MAKE_CALL), staggered: DTLS handshakes are CPU-heavy
    for (const id of ids) {
      coordinator.requestCall(botId, id);
      await sleep(250);
    }
    // a busy recorder may answer late: a missed snapshot is not an error while connecting
    const empty = { type: 'snapshot' as const, tracksFlowing: 0, peersConnected: 0, packets: 0, frames: 0, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0, threadpoolProbeMaxMs: 0 };
    let snap = await recorder.request({ type: 'snapshot' }, 30_000).catch(() => empty);
    const deadline = Date.now() + 60_000 + o.participants * 2000;
    let lastLog = Date.now();
    while (snap.tracksFlowing < 2 * o.participants && Date.now() < deadline) {
      await sleep(1000);
      snap = await recorder.request({ type: 'snapshot' }, 30_000).catch(() => snap);
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        o.log(`${o.mode}: ${snap.tracksFlowing}/${2 * o.participants} tracks flowing, ${snap.peersConnected} peers connected`);
      }
    }
    const connected = Math.floor(snap.tracksFlowing / 2);
    o.log(`${o.mode}: ${snap.tracksFlowing}/${2 * o.participants} tracks flowing, ${snap.peersConnected} peers connected; warm-up`);
    await sleep(5000);

    const status = async (): Promise<Record<string, number>> => Object.assign({}, ...(await Promise.all(senders.map((s) => s.request({ type: 'status' }, 30_000)))).map((s) => s.packetsSent)) as Record<string, number>;
    // per participant connected at both ends of the window (a link that dropped in between is left out)
    const sentBetween = (a: Record<string, number>, b: Record<string, number>): number => Object.keys(b).reduce((n, id) => n + (a[id] === undefined ? 0 : (b[id] ?? 0) - a[id]), 0);
    const senderCpu = (): ProcSample[] => senders.map((s) => sampleProc(s.pid)).filter((x): x is ProcSample => x !== undefined);
    const load0 = os.loadavg()[0] ?? 0;
    const udp0 = udpDrops();
    const sent0 = await status();
    const snap0 = await recorder.request({ type: 'snapshot' }, 30_000);
    const s0 = sampleProc(recorder.pid);
    const sc0 = senderCpu();
    const rss: number[] = [];
    const loopP99: number[] = [];
    let loopMax = 0;
    let poolMax = 0;
    const end = Date.now() + o.seconds * 1000;
    for (let k = 1; Date.now() < end; k++) {
      await sleep(Math.min(1000, end - Date.now()));
      const s = sampleProc(recorder.pid);
      if (s) rss.push(s.rssMb);
      if (k % 10 === 0) {
        const q = await recorder.request({ type: 'snapshot' }, 30_000).catch(() => undefined);
        if (q) {
          loopP99.push(q.eventLoopDelayP99Ms);
          loopMax = Math.max(loopMax, q.eventLoopDelayMaxMs);
          poolMax = Math.max(poolMax, q.threadpoolProbeMaxMs);
        }
      }
    }
    const s1 = sampleProc(recorder.pid);
    const sc1 = senderCpu();
    const snap1 = await recorder.request({ type: 'snapshot' }, 30_000);
    loopP99.push(snap1.eventLoopDelayP99Ms);
    loopMax = Math.max(loopMax, snap1.eventLoopDelayMaxMs);
    poolMax = Math.max(poolMax, snap1.threadpoolProbeMaxMs);
    const sent1 = await status();
    const udp1 = udpDrops();
    if (!s0 || !s1) throw new Error('recorder process gone during the window');
    o.log(`${o.mode}: window done; stopping`);

    const pending = recorder.next('result', 120_000);
    recorder.send({ type: 'stop' });
    const result: RecorderResult = await pending;
    await Promise.all(senders.map((s) => {
      s.send({ type: 'stop' });
      return s.close(10_000);
    }));
    const written = await countAll(result.files.map((f) => f.file));
    const sentWindow = sentBetween(sent0, sent1);
    const n = Math.max(1, connected); // per participant whose media reached the recorder
    const cpu = cpuPercent(s0, s1);
    const peak = Math.max(...rss, s1.rssMb);
    const perKind = {
      audio: { packetsReceived: result.received.audio.packets, framesReceived: result.received.audio.frames, framesWritten: written.audio },
      video: { packetsReceived: result.received.video.packets, framesReceived: result.received.video.frames, framesWritten: written.video },
    };
    const preKey = result.written ? result.written.video.framesBeforeFirstKeyframe : 0;
    const afterLoss = result.written ? result.written.video.framesDroppedAfterLoss : 0;
    const lostAudio = Math.max(0, perKind.audio.framesReceived - perKind.audio.framesWritten);
    const lostVideo = Math.max(0, perKind.video.framesReceived - perKind.video.framesWritten - preKey - afterLoss);
    const pktPerVideoFrame = perKind.video.framesReceived > 0 ? perKind.video.packetsReceived / perKind.video.framesReceived : 0;
    return {
      mode: o.mode, participants: n, connected, complete: connected === n, windowSeconds: round((s1.atMs - s0.atMs) / 1000, 1) ?? 0,
      cpuPercent: round(cpu) ?? 0, cpuPercentPerParticipant: round(cpu / n, 3) ?? 0,
      cpuPercentPerParticipantAtSentRate: round((cpu / n) * (sentWindow > 0 && snap1.packets > snap0.packets ? Math.max(1, sentWindow / (snap1.packets - snap0.packets)) : 1), 3) ?? 0,
      eventLoopDelayP99Ms: round(Math.max(0, ...loopP99), 1) ?? 0, eventLoopDelayMaxMs: round(loopMax, 1) ?? 0, threadpoolProbeMaxMs: round(poolMax, 1) ?? 0,
      rssMbPeak: round(peak, 1) ?? 0, rssMbMean: round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length), 1) ?? 0,
      rssMbPerParticipant: round((peak - idleB.rssMb) / n, 2) ?? 0, rssMbPerParticipantInclProcess: round(peak / n, 2) ?? 0,
      idleRssMb: round(idleB.rssMb, 1) ?? 0, idleCpuPercent: round(cpuPercent(idleA, idleB)) ?? 0,
      packetsReceived: perKind.audio.packetsReceived + perKind.video.packetsReceived,
      framesReceived: perKind.audio.framesReceived + perKind.video.framesReceived,
      framesWritten: written.audio + written.video,
      ...(result.written ? {
        framesWrittenCounted: result.written.audio.frames + result.written.video.frames, framesBeforeFirstKeyframe: preKey, framesDroppedAfterNetworkLoss: afterLoss,
        networkLostPackets: result.written.audio.networkLost + result.written.video.networkLost, latePackets: result.written.audio.late + result.written.video.late,
      } : {}),
      recorderLostFrames: lostAudio + lostVideo,
      recorderLostPackets: Math.round(lostAudio + lostVideo * pktPerVideoFrame),
      perKind,
      packetsSentWindow: sentWindow, packetsReceivedWindow: snap1.packets - snap0.packets,
      ...(udp0 && udp1 ? { udpRcvbufErrorsWindow: udp1.rcvbufErrors - udp0.rcvbufErrors } : {}),
      senderCpuPercent: round(sc0.reduce((sum, a, i) => sum + (sc1[i] ? cpuPercent(a, sc1[i] as ProcSample) : 0), 0)) ?? 0,
      segments: result.files.length,
      ...(o.mode === 'recbot' ? { segmentCutToDurableMs: summary(result.cutToDurableMs), segmentStopToDurableMs: summary(result.stopToDurableMs) } : {}),
      closeMs: result.closeMs,
      loadAvg1: [round(load0, 1) ?? 0, round(os.loadavg()[0], 1) ?? 0],
    };
  } finally {
    await coordinator.close().catch(() => undefined);
    for (const s of senders) s.send({ type: 'stop' });
    await Promise.all([recorder.close(1000), ...senders.map((s) => s.close(5000))]);
    rmSync(outDir, { recursive: true, force: true });
  }
}
