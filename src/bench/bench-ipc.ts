/** Messages between the benchmark and its child processes (recorder and senders). */

export type RecorderMode = 'recbot' | 'baseline';

/** argv[2] of the recorder child (JSON). */
export interface RecorderChildOptions {
  mode: RecorderMode;
  url: string;
  roomId: string;
  /** Spool (recbot) or output directory (baseline). */
  outDir: string;
  cacheDir: string;
  segmentSeconds: number;
  jitterMs: number;
}

/** argv[2] of a sender child (JSON). */
export interface SenderChildOptions {
  url: string;
  roomId: string;
  names: string[];
  cacheDir: string;
  videoKbps: number;
  /** Wait until every participant has seen this peer (the recorder bot) before reporting ready. */
  botId: string;
}

/** A live snapshot of the recorder child. */
export interface RecorderSnapshot {
  type: 'snapshot';
  /** Tracks with at least one packet. */
  tracksFlowing: number;
  peersConnected: number;
  packets: number;
  frames: number;
  /** Event-loop delay since the previous snapshot (perf_hooks histogram), ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Slowest libuv thread-pool round trip (an fs.stat every 500 ms) since the previous snapshot, ms: fsync backlog shows here. */
  threadpoolProbeMaxMs: number;
}

/** Final result of the recorder child, after the bot stopped and every sink closed. */
export interface RecorderResult {
  type: 'result';
  mode: RecorderMode;
  received: Record<'audio' | 'video', { packets: number; frames: number; tracks: number }>;
  /** recbot: written frames per kind from the recorder's own counters (cross-checked by ffprobe in the parent). */
  written?: Record<'audio' | 'video', { frames: number; framesBeforeFirstKeyframe: number; framesDroppedAfterLoss: number; late: number; networkLost: number; writeErrors: number }>;
  /** Files to probe: recbot segments, or one baseline WebM per participant. */
  files: { kind?: 'audio' | 'video'; file: string }[];
  segments: number;
  /** Segment cut (arrival of the next segment's first frame) to durable (file fsync'd, renamed, in the manifest), ms. */
  cutToDurableMs: number[];
  /** Last segments: stop requested to durable, ms. */
  stopToDurableMs: number[];
  closeMs: number;
}

export type RecorderChildMessage = { type: 'ready'; botId: string } | RecorderSnapshot | RecorderResult | { type: 'error'; message: string };
export type RecorderParentMessage = { type: 'snapshot' } | { type: 'stop' };

export interface SenderStatus {
  type: 'status';
  joined: number;
  connected: number;
  /** Packets sent so far per participant connected to the recorder right now. */
  packetsSent: Record<string, number>;
}
export type SenderChildMessage = { type: 'ready'; ids: string[] } | SenderStatus | { type: 'error'; message: string };
export type SenderParentMessage = { type: 'status' } | { type: 'stop' };

/** Narrow an IPC message to an object with a string `type` (IPC data is unknown until checked). */
export function isTyped(m: unknown): m is { type: string } {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
