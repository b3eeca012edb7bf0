import type { BotStatus } from '../bot/bot';
import type { AppConfig } from '../config/config.schema';
import type { MetricsSnapshot } from '../common/metrics';
import type { RecordingManifest } from '../manifest/manifest.types';

/** Parent -> call process. */
export type ToCallProcess =
  | { type: 'run'; recordingId: string; config: AppConfig }
  | { type: 'stop'; reason: string };

/** Call process -> parent. */
export type FromCallProcess =
  | { type: 'status'; status: BotStatus; segments: number; uploaded: number }
  | { type: 'stored'; key: string }
  | { type: 'part'; part: number; botId: string }
  | { type: 'done'; part: number; stopReason: string; handover: boolean; manifest: RecordingManifest }
  | { type: 'error'; code: string; message: string; retryable: boolean }
  /** The call process's recbot_ series (prom-client JSON), every few seconds and before it exits. */
  | { type: 'metrics'; metrics: MetricsSnapshot };

/** Narrow an IPC message (untrusted shape) to FromCallProcess. */
export function isFromCallProcess(m: unknown): m is FromCallProcess {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'status' || t === 'stored' || t === 'part' || t === 'done' || t === 'error' || (t === 'metrics' && Array.isArray((m as { metrics?: unknown }).metrics));
}
