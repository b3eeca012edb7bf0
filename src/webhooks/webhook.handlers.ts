import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { RecordingManifest, RecordingStatus } from '../manifest/manifest.types';
import { TRANSCRIPT_FORMATS, parseSegmentKey as parseStoredSegmentKey, storageKeys } from '../storage/storage-keys';
import type { WebhookEvent } from './webhook-events';
import { createWebhookJobHandler, type WebhookJobDeps } from './webhook-job';
import { statusDetailsOf } from '../manifest/coverage-summary';

/** Manifest read/write as the ManifestRepository offers it. */
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
  const k = parseStoredSegmentKey(key);
  return k ? { participantId: k.participantId, trackKey: k.track, seq: k.seq } : undefined;
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
  // who was in the call but not recorded, and how long (Publish stores it; computed if not yet)
  if (event === 'recording.completed' || event === 'recording.failed') data.statusDetails = m.statusDetails ?? statusDetailsOf(m);
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

/** Events whose deliveries are appended to `manifest.webhooks` (sent when no other writer is left). */
export const MANIFEST_RECORDED_EVENTS: ReadonlySet<string> = new Set<WebhookEvent>(['recording.completed', 'recording.failed']);

/**
 * WebhookJobDeps backed by the manifest: payloads from it, attempts appended to `manifest.webhooks`.
 * The append is load-modify-save: run webhook jobs when no other writer holds the manifest (after
 * Publish for recording.completed), or pass your own `record`.
 */
export function manifestWebhookDeps(
  store: WebhookManifestStore,
  base: Pick<WebhookJobDeps, 'sender' | 'endpoints'>,
): WebhookJobDeps {
  // Appends of one recording run one after another in this process (a job delivers to its
  // endpoints in parallel, and several webhook jobs of a recording may run at once).
  const chains = new Map<string, Promise<void>>();
  const serial = (recordingId: string, fn: () => Promise<void>): Promise<void> => {
    const run = (chains.get(recordingId) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    chains.set(recordingId, tail);
    void tail.then(() => {
      if (chains.get(recordingId) === tail) chains.delete(recordingId);
    });
    return run;
  };
  return {
    ...base,
    payloadFor: async (recordingId, event, key) => webhookPayloadFromManifest(await store.load(recordingId), event, key),
    deliveries: async (recordingId) => (await store.load(recordingId)).webhooks,
    record: async (recordingId, delivery) => {
      // Only terminal events are appended: the others happen while another writer owns the manifest
      // (the recorder during the call, Publish beside transcript.completed) and a load-modify-save
      // here could undo its changes. Their retries may re-send to served endpoints (same webhook-id).
      if (!MANIFEST_RECORDED_EVENTS.has(delivery.event)) return;
      await serial(recordingId, async () => {
        const m = await store.load(recordingId);
        await store.save({ ...m, webhooks: [...m.webhooks, delivery] });
      });
    },
  };
}

/** Register the Webhook job handler (thin). Use `webhookRetrySettings` for its job and worker options. */
export function registerWebhookHandlers(registry: JobHandlerRegistry, deps: WebhookJobDeps): void {
  const handle = createWebhookJobHandler(deps);
  registry.register(JobName.Webhook, (d, ctx) => handle(d, { attempt: ctx.attempt, updateData: ctx.updateData }));
}
