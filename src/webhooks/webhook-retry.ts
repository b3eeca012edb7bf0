/** Backoff type name to pass in BullMQ job options: `{ backoff: { type: WEBHOOK_BACKOFF_TYPE } }`. */
export const WEBHOOK_BACKOFF_TYPE = 'recbot-webhook';

/** Exponential backoff settings: delay = min(capMs, baseMs * 2^(attempt-1)). */
export interface WebhookBackoff {
  baseMs: number;
  capMs: number;
}

/** Defaults: 5 s, 10 s, 20 s, ... capped at 1 h. */
export const DEFAULT_WEBHOOK_BACKOFF: WebhookBackoff = { baseMs: 5_000, capMs: 3_600_000 };

/** Delay before retry number `attemptsMade` (1 = after the first failure). Pure. */
export function webhookBackoffDelayMs(attemptsMade: number, b: WebhookBackoff = DEFAULT_WEBHOOK_BACKOFF): number {
  const exp = Math.min(40, Math.max(0, attemptsMade - 1));
  return Math.min(b.capMs, b.baseMs * 2 ** exp);
}

/** Smallest attempt count whose summed backoff delays reach `retryHours` (so retries span >= that long). */
export function webhookAttemptsFor(retryHours: number, b: WebhookBackoff = DEFAULT_WEBHOOK_BACKOFF): number {
  const targetMs = retryHours * 3_600_000;
  let total = 0;
  let attempts = 1;
  while (total < targetMs) {
    total += webhookBackoffDelayMs(attempts, b);
    attempts += 1;
  }
  return attempts;
}

/**
 * BullMQ settings for webhook jobs: job options `{attempts, backoff}` and the worker's
 * `settings.backoffStrategy`. Retries span at least `retryHours` (WEBHOOK_RETRY_HOURS).
 */
export function webhookRetrySettings(retryHours: number, b: WebhookBackoff = DEFAULT_WEBHOOK_BACKOFF) {
  return {
    jobOptions: { attempts: webhookAttemptsFor(retryHours, b), backoff: { type: WEBHOOK_BACKOFF_TYPE } },
    workerSettings: {
      backoffStrategy: (attemptsMade: number, type?: string): number =>
        type === WEBHOOK_BACKOFF_TYPE ? webhookBackoffDelayMs(attemptsMade, b) : webhookBackoffDelayMs(attemptsMade),
    },
  };
}
