import { RecbotError } from '../common/errors';
import type { WebhookDelivery } from '../manifest/manifest.types';
import { endpointWants, webhookMessageId, type WebhookEndpoint, type WebhookEvent } from './webhook-events';
import { WebhookDeliveryError, type WebhookSender } from './webhook-sender';

/** What a webhook job needs from the rest of recbot (manifest access, payload building). */
export interface WebhookJobDeps {
  sender: WebhookSender;
  /** WEBHOOK_ENDPOINTS (secrets stay in config, never in job payloads). */
  endpoints: WebhookEndpoint[];
  /** Event data (ids, status, output keys; never secrets) and when the event happened. */
  payloadFor(recordingId: string, event: WebhookEvent, key?: string): Promise<{ data: Record<string, unknown>; occurredMs?: number }>;
  /** Past deliveries of this recording (manifest.webhooks): endpoints already served are skipped on retry. */
  deliveries(recordingId: string): Promise<WebhookDelivery[]>;
  /** Append one attempt's record to the manifest. */
  record(recordingId: string, delivery: WebhookDelivery): Promise<void>;
}

/** Job data: one event of one recording; `key` distinguishes repeated events (e.g. a segment). */
export interface WebhookJobInput {
  recordingId: string;
  event: WebhookEvent;
  key?: string;
  /** Data fixed at queue time (the recording is gone: no manifest to read or log into). */
  snapshot?: { data: Record<string, unknown>; occurredMs: number };
  /** Data fixed by the first attempt: every retry sends the same body bytes. */
  frozen?: { data: Record<string, unknown>; occurredMs: number };
}

/**
 * The webhook job handler: delivers the event to every subscribed endpoint not yet served, records
 * each attempt, and throws a retryable RecbotError if any endpoint still needs a retry (BullMQ then
 * retries with `webhookRetrySettings`). Message ids are deterministic, so receivers can deduplicate.
 */
export function createWebhookJobHandler(deps: WebhookJobDeps) {
  return async (
    input: WebhookJobInput,
    ctx: { attempt: number; updateData?(data: unknown): Promise<void> },
  ): Promise<{ delivered: number; skipped: number }> => {
    const targets = deps.endpoints.filter((e) => endpointWants(e, input.event));
    if (targets.length === 0) return { delivered: 0, skipped: 0 };
    const snap = input.snapshot;
    const done = new Set(snap ? [] : (await deps.deliveries(input.recordingId)).filter((d) => d.ok).map((d) => d.webhookId));
    const { data, occurredMs } = snap ?? input.frozen ?? (await freeze(deps, input, ctx));
    let skipped = 0;
    const results = await Promise.allSettled(
      targets.map(async (endpoint) => {
        const webhookId = webhookMessageId({ recordingId: input.recordingId, event: input.event, url: endpoint.url, key: input.key });
        if (done.has(webhookId)) {
          skipped += 1;
          return;
        }
        try {
          const d = await deps.sender.deliver(endpoint, input.event, data, {
            webhookId,
            attempt: ctx.attempt,
            ...(occurredMs !== undefined ? { occurredMs } : {}),
          });
          if (!snap) await deps.record(input.recordingId, d);
        } catch (err) {
          if (err instanceof WebhookDeliveryError && !snap) await deps.record(input.recordingId, err.delivery);
          throw err;
        }
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      const retryable = failures.some((f) => !(f instanceof RecbotError) || f.retryable);
      const msg = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ');
      throw new RecbotError('WEBHOOK_DELIVERY_FAILED', `${failures.length}/${targets.length} endpoint(s) failed: ${msg}`, {
        retryable,
        cause: failures[0],
      });
    }
    return { delivered: targets.length - skipped, skipped };
  };
}

/**
 * The event's body is fixed when the event is first delivered: data and time are stored in the job
 * before anything is sent, so a retry (any process) sends the same bytes under the same webhook-id
 * even when the manifest changed meanwhile.
 */
async function freeze(
  deps: WebhookJobDeps,
  input: WebhookJobInput,
  ctx: { updateData?(data: unknown): Promise<void> },
): Promise<{ data: Record<string, unknown>; occurredMs: number }> {
  const p = await deps.payloadFor(input.recordingId, input.event, input.key);
  const frozen = { data: p.data, occurredMs: p.occurredMs ?? Date.now() };
  await ctx.updateData?.({ ...input, frozen });
  return frozen;
}
