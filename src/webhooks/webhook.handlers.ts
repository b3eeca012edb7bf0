import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { RecordingManifest, RecordingStatus } from '../manifest/manifest.types';
import type { WebhookEvent } from './webhook-events';
import { createWebhookJobHandler, type WebhookJobDeps } from './webhook-job';

/** Manifest read/write as the pipeline's ManifestSource offers it. */
export interface WebhookManifestStore {
  load(recordingId: string): Promise<RecordingManifest>;
  save(manifest: RecordingManifest): Promise<void>;
}

const EVENT_STATUS: Partial<Record<WebhookEvent, RecordingStatus>> = {
  'recording.started': 'recording',
  'recording.completed': 'completed',
  'recording.failed': 'failed',
};

/** Event data from a manifest: ids, status, times and output keys (never secrets or local paths). Pure. */
export function webhookPayloadFromManifest(m: RecordingManifest, event: WebhookEvent): { data: Record<string, unknown>; occurredMs?: number } {
  const status = EVENT_STATUS[event];
  const change = status ? [...m.statusHistory].reverse().find((s) => s.status === status) : undefined;
  const data: Record<string, unknown> = {
    recordingId: m.recordingId,
    roomId: m.roomId,
    status: m.status,
    sessionStartMs: m.sessionStartMs,
    ...(m.sessionEndMs !== undefined ? { sessionEndMs: m.sessionEndMs } : {}),
    participants: m.participants.map((p) => ({ participantId: p.participantId, name: p.name })),
  };
  if (event === 'recording.completed' || event === 'transcript.completed') {
    data.outputs = m.outputs
      .filter((o) => event === 'recording.completed' || o.kind === 'transcript')
      .map((o) => ({ kind: o.kind, participantId: o.participantId, key: o.key, size: o.size, format: o.format, durationMs: o.durationMs }));
  }
  if (event === 'recording.failed' && change?.reason) data.reason = change.reason;
  return { data, ...(change ? { occurredMs: change.atMs } : {}) };
}

/**
 * WebhookJobDeps backed by the manifest: payloads from it, attempts appended to `manifest.webhooks`.
 * The append is load-modify-save: run webhook jobs when no other writer holds the manifest (after
 * Publish for recording.completed), or pass your own `record`.
 */
export function manifestWebhookDeps(
  store: WebhookManifestStore,
  base: Pick<WebhookJobDeps, 'sender' | 'endpoints'>,
): WebhookJobDeps {
  return {
    ...base,
    payloadFor: async (recordingId, event) => webhookPayloadFromManifest(await store.load(recordingId), event),
    deliveries: async (recordingId) => (await store.load(recordingId)).webhooks,
    record: async (recordingId, delivery) => {
      const m = await store.load(recordingId);
      await store.save({ ...m, webhooks: [...m.webhooks, delivery] });
    },
  };
}

/** Register the Webhook job handler (thin). Use `webhookRetrySettings` for its job and worker options. */
export function registerWebhookHandlers(registry: JobHandlerRegistry, deps: WebhookJobDeps): void {
  const handle = createWebhookJobHandler(deps);
  registry.register(JobName.Webhook, (d, ctx) => handle(d, { attempt: ctx.attempt }));
}
