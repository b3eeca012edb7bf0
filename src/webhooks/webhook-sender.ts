import { RecbotError, errorMessage } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import type { WebhookDelivery } from '../manifest/manifest.types';
import type { WebhookEndpoint, WebhookEnvelope, WebhookEvent } from './webhook-events';
import { signWebhook } from './webhook-signature';
import { webhookDeliveries } from './webhook.metrics';
import type { OutboundPolicy } from '../security/outbound-policy';

/** One delivery attempt failed. `retryable` says whether the job should retry; `delivery` goes to the manifest. */
export class WebhookDeliveryError extends RecbotError {
  constructor(
    message: string,
    readonly delivery: WebhookDelivery,
    opts: { retryable: boolean; cause?: unknown },
  ) {
    super('WEBHOOK_DELIVERY_FAILED', message, opts);
    this.name = 'WebhookDeliveryError';
  }
}

export interface WebhookSenderOptions {
  /** Per-attempt timeout (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  logger?: Logger;
  /** Clock, for tests. */
  now?: () => number;
  /** Outbound target policy (OUTBOUND_ALLOW): checked after DNS resolution before every attempt. */
  outbound?: OutboundPolicy;
}

/** Sends signed webhook deliveries, one attempt per call (retries belong to the job queue). */
export class WebhookSender {
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.log = opts.logger ?? createLogger({ component: 'webhooks' });
    this.now = opts.now ?? Date.now;
  }

  /**
   * POST one signed delivery of `event` with `payload` as `data`. Returns the delivery record on a 2xx.
   * Throws WebhookDeliveryError: retryable on timeout, unreachable, 5xx or 4xx; not retryable on 410 Gone
   * (the receiver asks to stop, as in Standard Webhooks).
   */
  async deliver(
    endpoint: WebhookEndpoint,
    event: WebhookEvent,
    payload: Record<string, unknown>,
    opts: { webhookId: string; attempt?: number; occurredMs?: number },
  ): Promise<WebhookDelivery> {
    const atMs = this.now();
    const envelope: WebhookEnvelope = {
      type: event,
      timestamp: new Date(opts.occurredMs ?? atMs).toISOString(),
      data: payload,
    };
    const body = JSON.stringify(envelope);
    const headers = signWebhook({ secret: endpoint.secret, id: opts.webhookId, timestampSec: atMs / 1000, body });
    const base = { event, url: endpoint.url, webhookId: opts.webhookId, attempt: opts.attempt ?? 1, atMs };
    let status: number;
    try {
      await this.opts.outbound?.checkResolved(endpoint.url, 'webhook url');
    } catch (err) {
      const error = errorMessage(err);
      const retryable = err instanceof RecbotError && err.retryable;
      this.log.warn({ event, webhookId: opts.webhookId, attempt: base.attempt, error }, 'webhook target refused');
      webhookDeliveries.inc({ event, outcome: retryable ? 'retryable' : 'failed' });
      throw new WebhookDeliveryError(`webhook ${event}: ${error}`, { ...base, ok: false, error }, { retryable, cause: err });
    }
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'recbot-webhooks', ...headers },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      // By name: fetch's DOMException may come from another realm (instanceof would fail).
      const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const error = timedOut ? `timeout after ${this.opts.timeoutMs} ms` : `unreachable: ${errorMessage(err)}`;
      this.log.warn({ event, webhookId: opts.webhookId, attempt: base.attempt, error }, 'webhook delivery failed');
      webhookDeliveries.inc({ event, outcome: 'retryable' });
      throw new WebhookDeliveryError(`webhook ${event} to ${endpoint.url}: ${error}`, { ...base, ok: false, error }, {
        retryable: true,
        cause: err,
      });
    }
    if (status >= 200 && status < 300) {
      this.log.info({ event, webhookId: opts.webhookId, attempt: base.attempt, status }, 'webhook delivered');
      webhookDeliveries.inc({ event, outcome: 'ok' });
      return { ...base, status, ok: true };
    }
    const error = `HTTP ${status}`;
    this.log.warn({ event, webhookId: opts.webhookId, attempt: base.attempt, status }, 'webhook delivery failed');
    webhookDeliveries.inc({ event, outcome: status === 410 ? 'failed' : 'retryable' });
    throw new WebhookDeliveryError(`webhook ${event} to ${endpoint.url}: ${error}`, { ...base, status, ok: false, error }, {
      retryable: status !== 410,
    });
  }
}
