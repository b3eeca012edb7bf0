import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { RecordingManifest, RecordingStatus } from '../manifest/manifest.types';
import { TRANSCRIPT_FORMATS, storageKeys } from '../storage/storage-keys';
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

/** `recordings/{id}/segments/{participantId}/{trackKey}/{seq}.{container}` parsed; undefined for other keys. */
export function parseSegmentKey(key: string): { participantId: string; trackKey: string; seq: number } | undefined {
  const m = /^recordings\/[^/]+\/segments\/([^/]+)\/([^/]+)\/(\d+)\.[a-z0-9]+$/.exec(key);
  return m ? { participantId: m[1] as string, trackKey: m[2] as string, seq: Number(m[3]) } : undefined;
}

/**
 * Event data from a manifest: ids, status, times and output keys (never secrets or local paths). Pure.
 * `key` is the segment's object key for `recording.segment_stored` (the stored manifest may lag the
 * recorder's by a few seconds: the key alone still names participant, track and seq).
 */
export function webhookPayloadFromManifest(
  m: RecordingManifest,
  event: WebhookEvent,
  key?: string,
): { data: Record<string, unknown>; occurredMs?: number } {
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
  const metadata = m.options?.metadata;
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) data.metadata = metadata;
  if (event === 'recording.completed' || event === 'transcript.completed') {
    data.outputs = m.outputs
      .filter((o) => event === 'recording.completed' || o.kind === 'transcript')
      .map((o) => ({ kind: o.kind, participantId: o.participantId, key: o.key, size: o.size, format: o.format, durationMs: o.durationMs }));
  }
  if (event === 'transcript.completed' && !m.outputs.some((o) => o.kind === 'transcript')) {
    // Sent right after MergeTranscript, before Publish records the outputs: the keys are fixed.
    data.outputs = TRANSCRIPT_FORMATS.map((format) => ({ kind: 'transcript', key: storageKeys.transcript(m.recordingId, format), format }));
  }
  if (event === 'recording.failed' && change?.reason) data.reason = change.reason;
  if (event === 'recording.segment_stored' && key !== undefined) {
    const seg = m.segments.find((s) => s.key === key);
    const parsed = parseSegmentKey(key);
    data.segment = seg
      ? { key, participantId: seg.participantId, trackKey: seg.trackKey, seq: seg.seq, part: seg.part, size: seg.size, durationMs: seg.timeline.durationMs }
      : { key, ...parsed };
    return { data, ...(seg?.uploadedMs !== undefined ? { occurredMs: seg.uploadedMs } : {}) };
  }
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
    payloadFor: async (recordingId, event, key) => webhookPayloadFromManifest(await store.load(recordingId), event, key),
    deliveries: async (recordingId) => (await store.load(recordingId)).webhooks,
    record: async (recordingId, delivery) => {
      // Segment events come during the call, while the recorder owns the manifest (it would
      // overwrite the append), and are many: their deliveries are counted in metrics only.
      if (delivery.event === 'recording.segment_stored') return;
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
