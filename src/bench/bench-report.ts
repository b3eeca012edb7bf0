import type { RunMetrics } from './bench-run';
import { median, ratio, round } from './bench-stats';

/** The headline numbers of one recorder (medians over repeats). */
export interface RecorderSummary {
  participants: number;
  connected: number;
  cpuPercentPerParticipant?: number;
  cpuPercentPerParticipantAtSentRate?: number;
  eventLoopDelayP99Ms?: number;
  eventLoopDelayMaxMs?: number;
  threadpoolProbeMaxMs?: number;
  rssMbPerParticipant?: number;
  rssMbPerParticipantInclProcess?: number;
  recorderLostPackets?: number;
  recorderLostFrames?: number;
  cpuPercentTotal?: number;
  rssMbPeak?: number;
  idleRecorderRssMb?: number;
  idleRecorderCpuPercent?: number;
  packetsReceived?: number;
  framesReceived?: number;
  framesWritten?: number;
  framesWrittenCounted?: number;
  framesBeforeFirstKeyframe?: number;
  framesDroppedAfterNetworkLoss?: number;
  networkLostPackets?: number;
  packetsSentWindow?: number;
  packetsReceivedWindow?: number;
  udpRcvbufErrorsWindow?: number;
  senderCpuPercent?: number;
  loadAvg1?: string;
  segmentCutToDurableMs?: { median?: number; p95?: number };
  segmentStopToDurableMs?: { median?: number; p95?: number };
}

function med(runs: readonly RunMetrics[], f: (r: RunMetrics) => number | undefined, digits = 3): number | undefined {
  return round(median(runs.map(f).filter((x): x is number => x !== undefined)), digits);
}

/** Medians over repeats of one recorder's runs. */
export function summarize(runs: readonly RunMetrics[]): RecorderSummary {
  const first = runs[0];
  return {
    participants: first?.participants ?? 0,
    connected: Math.min(...runs.map((r) => r.connected)),
    cpuPercentPerParticipant: med(runs, (r) => r.cpuPercentPerParticipant),
    cpuPercentPerParticipantAtSentRate: med(runs, (r) => r.cpuPercentPerParticipantAtSentRate),
    eventLoopDelayP99Ms: med(runs, (r) => r.eventLoopDelayP99Ms, 1),
    eventLoopDelayMaxMs: med(runs, (r) => r.eventLoopDelayMaxMs, 1),
    threadpoolProbeMaxMs: med(runs, (r) => r.threadpoolProbeMaxMs, 1),
    rssMbPerParticipant: med(runs, (r) => r.rssMbPerParticipant, 2),
    rssMbPerParticipantInclProcess: med(runs, (r) => r.rssMbPerParticipantInclProcess, 2),
    recorderLostPackets: med(runs, (r) => r.recorderLostPackets, 0),
    recorderLostFrames: med(runs, (r) => r.recorderLostFrames, 0),
    cpuPercentTotal: med(runs, (r) => r.cpuPercent, 2),
    rssMbPeak: med(runs, (r) => r.rssMbPeak, 1),
    idleRecorderRssMb: med(runs, (r) => r.idleRssMb, 1),
    idleRecorderCpuPercent: med(runs, (r) => r.idleCpuPercent, 2),
    packetsReceived: med(runs, (r) => r.packetsReceived, 0),
    framesReceived: med(runs, (r) => r.framesReceived, 0),
    framesWritten: med(runs, (r) => r.framesWritten, 0),
    framesWrittenCounted: med(runs, (r) => r.framesWrittenCounted, 0),
    framesBeforeFirstKeyframe: med(runs, (r) => r.framesBeforeFirstKeyframe, 0),
    framesDroppedAfterNetworkLoss: med(runs, (r) => r.framesDroppedAfterNetworkLoss, 0),
    networkLostPackets: med(runs, (r) => r.networkLostPackets, 0),
    packetsSentWindow: med(runs, (r) => r.packetsSentWindow, 0),
    packetsReceivedWindow: med(runs, (r) => r.packetsReceivedWindow, 0),
    udpRcvbufErrorsWindow: med(runs, (r) => r.udpRcvbufErrorsWindow, 0),
    senderCpuPercent: med(runs, (r) => r.senderCpuPercent, 1),
    loadAvg1: runs.map((r) => r.loadAvg1.join('->')).join(', '),
    ...(first?.segmentCutToDurableMs ? {
      segmentCutToDurableMs: { median: med(runs, (r) => r.segmentCutToDurableMs?.median, 1), p95: med(runs, (r) => r.segmentCutToDurableMs?.p95, 1) },
      segmentStopToDurableMs: { median: med(runs, (r) => r.segmentStopToDurableMs?.median, 1), p95: med(runs, (r) => r.segmentStopToDurableMs?.p95, 1) },
    } : {}),
  };
}

/** Targets of issue 5, per participant. */
export const TARGETS = { cpuPercentPerParticipant: 2.5, rssMbPerParticipant: 20, recorderLostPackets: 0 };

/** recbot / baseline for the headline keys. */
export function ratios(recbot: RecorderSummary, baseline: RecorderSummary | undefined): Record<string, number | undefined> {
  if (!baseline) return {};
  return {
    cpuPercentPerParticipant: ratio(recbot.cpuPercentPerParticipant, baseline.cpuPercentPerParticipant),
    rssMbPerParticipant: ratio(recbot.rssMbPerParticipant, baseline.rssMbPerParticipant),
    rssMbPerParticipantInclProcess: ratio(recbot.rssMbPerParticipantInclProcess, baseline.rssMbPerParticipantInclProcess),
    idleRecorderRssMb: ratio(recbot.idleRecorderRssMb, baseline.idleRecorderRssMb),
  };
}

const ROWS: [string, (s: RecorderSummary) => unknown][] = [
  ['participants connected', (s) => `${s.connected}/${s.participants}`],
  ['CPU % of one core, per participant', (s) => s.cpuPercentPerParticipant],
  ['  scaled to packets sent (if kernel drops)', (s) => s.cpuPercentPerParticipantAtSentRate],
  ['CPU % of one core, recorder total', (s) => s.cpuPercentTotal],
  ['RSS MB per participant (peak - idle)', (s) => s.rssMbPerParticipant],
  ['RSS MB per participant (peak / N)', (s) => s.rssMbPerParticipantInclProcess],
  ['RSS MB peak', (s) => s.rssMbPeak],
  ['idle recorder process RSS MB', (s) => s.idleRecorderRssMb],
  ['packets received (whole run)', (s) => s.packetsReceived],
  ['frames received', (s) => s.framesReceived],
  ['frames written (ffprobe)', (s) => s.framesWritten],
  ['video frames before 1st keyframe / after net loss', (s) => (s.framesBeforeFirstKeyframe === undefined ? '-' : `${s.framesBeforeFirstKeyframe} / ${s.framesDroppedAfterNetworkLoss ?? '-'}`)],
  ['packets lost in the network (jitter buffer)', (s) => s.networkLostPackets],
  ['recorder-side lost frames', (s) => s.recorderLostFrames],
  ['recorder-side lost packets', (s) => s.recorderLostPackets],
  ['packets sent / received in window', (s) => `${s.packetsSentWindow ?? '-'} / ${s.packetsReceivedWindow ?? '-'}`],
  ['UDP rcvbuf drops in window (system)', (s) => s.udpRcvbufErrorsWindow],
  ['segment cut->durable ms median/p95', (s) => (s.segmentCutToDurableMs ? `${s.segmentCutToDurableMs.median ?? '-'} / ${s.segmentCutToDurableMs.p95 ?? '-'}` : '-')],
  ['event-loop delay p99 / max ms', (s) => `${s.eventLoopDelayP99Ms ?? '-'} / ${s.eventLoopDelayMaxMs ?? '-'}`],
  ['thread-pool round trip max ms', (s) => s.threadpoolProbeMaxMs],
  ['sender processes CPU %', (s) => s.senderCpuPercent],
  ['machine load average (1 min) in window', (s) => s.loadAvg1],
];

/** A plain-text table: metric | recbot | baseline | ratio. */
export function formatTable(recbot: RecorderSummary | undefined, baseline: RecorderSummary | undefined): string {
  const cell = (v: unknown): string => (v === undefined || v === null ? '-' : String(v));
  const rows = ROWS.map(([name, f]) => {
    const a = recbot ? f(recbot) : undefined;
    const b = baseline ? f(baseline) : undefined;
    const r = typeof a === 'number' && typeof b === 'number' && b !== 0 ? (a / b).toFixed(2) : '';
    return [name, cell(a), cell(b), r];
  });
  const all = [['metric', 'recbot', 'werift MediaRecorder', 'ratio'], ...rows];
  const w = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ')).join('\n');
}
