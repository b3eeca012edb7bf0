/**
 * Entry of a call process: the recorder forks one per call (as LiveKit egress runs one process per
 * egress), so a crash in one call costs that call a restart from its journals, never the other
 * calls on the pod. The parent sends {type:'run'}; this process starts a RecorderRuntime (which
 * recovers the recording's spool), runs the call, uploads every segment, reports 'done' and exits.
 */
import { RecbotError, errorMessage } from '../common/errors';
import { createLogger, initLogger } from '../common/logger';
import { metricsRegistry, type MetricsSnapshot } from '../common/metrics';
import { registerUploaderMetrics } from './upload-lane';
import type { AppConfig } from '../config/config.schema';
import { createStorageDriver } from '../storage/storage.factory';
import { RecorderRuntime } from './recorder-runtime';
import type { FromCallProcess, ToCallProcess } from './call-ipc';

/** How often a call process sends its metrics to the parent (a scrape sees them at most this old). */
const METRICS_PUSH_MS = 2000;

async function pushMetrics(): Promise<void> {
  await send({ type: 'metrics', metrics: (await metricsRegistry.getMetricsAsJSON()) as MetricsSnapshot });
}

function send(msg: FromCallProcess): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

async function run(recordingId: string, config: AppConfig): Promise<void> {
  initLogger({ level: config.LOG_LEVEL, pretty: false });
  const log = createLogger({ component: 'call-process', recordingId });
  const storage = createStorageDriver(config);
  const runtime = await RecorderRuntime.start({
    config, storage, logger: log, recover: { only: recordingId }, onSegmentStored: (_id, key) => void send({ type: 'stored', key }),
  });
  registerUploaderMetrics(metricsRegistry);
  const metricsTimer = setInterval(() => void pushMetrics(), METRICS_PUSH_MS);
  const abort = new AbortController();
  let reason = 'stopped';
  process.on('message', (m: ToCallProcess) => {
    if (m?.type === 'stop') {
      reason = m.reason;
      abort.abort();
    }
  });
  try {
    const outcome = await runtime.run(recordingId, {
      signal: abort.signal,
      abortReason: () => reason,
      onStatus: (status, s) => void send({ type: 'status', status, segments: s.segments, uploaded: s.uploaded }),
      onPart: (part, botId) => void send({ type: 'part', part, botId }),
    });
    await send({ type: 'done', part: outcome.part, stopReason: outcome.stopReason, handover: outcome.handover, manifest: outcome.manifest });
  } finally {
    clearInterval(metricsTimer);
    await runtime.close();
    await storage.close();
    await pushMetrics();
  }
}

process.on('message', (m: ToCallProcess) => {
  if (m?.type !== 'run') return;
  run(m.recordingId, m.config).then(
    () => process.exit(0),
    async (err: unknown) => {
      const e = err instanceof RecbotError ? err : undefined;
      await send({ type: 'error', code: e?.code ?? 'CALL_FAILED', message: errorMessage(err), retryable: e ? e.retryable : true });
      process.exit(1);
    },
  );
});
// The parent going away must not leave an orphan bot in the room.
process.on('disconnect', () => process.exit(1));
