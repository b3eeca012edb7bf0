import { createHash } from 'node:crypto';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../jobs/job.types';

/** Every event recbot sends (the list lives with the job payloads). `recording.segment_stored` is opt-in per endpoint (it is chatty). */
export { WEBHOOK_EVENTS, type WebhookEvent };

const OPT_IN_EVENTS: ReadonlySet<WebhookEvent> = new Set(['recording.segment_stored']);

/** A configured receiver (WEBHOOK_ENDPOINTS). `events` unset means every event except the opt-in ones. */
export interface WebhookEndpoint {
  url: string;
  secret: string;
  events?: string[];
}

/** Whether `endpoint` subscribes to `event`. */
export function endpointWants(endpoint: WebhookEndpoint, event: WebhookEvent): boolean {
  if (endpoint.events) return endpoint.events.includes(event);
  return !OPT_IN_EVENTS.has(event);
}

/** Whether any of `endpoints` subscribes to `event` (skip queueing opt-in events nobody wants). */
export function anyEndpointWants(endpoints: readonly WebhookEndpoint[], event: WebhookEvent): boolean {
  return endpoints.some((e) => endpointWants(e, event));
}

/** The JSON body of a delivery (Standard Webhooks payload shape). */
export interface WebhookEnvelope<T = Record<string, unknown>> {
  type: WebhookEvent;
  /** ISO time the event happened. */
  timestamp: string;
  data: T;
}

/**
 * Deterministic message id: the same event for the same endpoint keeps its id across retries, so
 * receivers can deduplicate on `webhook-id`. `key` distinguishes repeated events (e.g. segment seq).
 */
export function webhookMessageId(opts: { recordingId: string; event: WebhookEvent; url: string; key?: string }): string {
  const h = createHash('sha256').update(`${opts.recordingId}\n${opts.event}\n${opts.url}\n${opts.key ?? ''}`);
  return `msg_${h.digest('base64url').slice(0, 27)}`;
}

/** Job payload for the webhook queue: ids and the endpoint URL only, never the secret. */
export interface WebhookJobData {
  recordingId: string;
  event: WebhookEvent;
  url: string;
  webhookId: string;
  envelope: WebhookEnvelope;
}
