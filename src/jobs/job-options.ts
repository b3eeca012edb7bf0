import type { JobsOptions } from 'bullmq';
import { DEFAULT_WEBHOOK_BACKOFF, WEBHOOK_BACKOFF_TYPE, webhookAttemptsFor, webhookBackoffDelayMs } from '../webhooks/webhook-retry';
import { QueueName } from './job.types';

/**
 * Retry policy per queue: attempts with exponential backoff (ms base), or a named custom backoff
 * (`backoffType`) computed by {@link backoffStrategy} in the workers.
 */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  backoffType?: typeof WEBHOOK_BACKOFF_TYPE;
}

/** Webhook deliveries retry with capped exponential backoff for at least `retryHours` (WEBHOOK_RETRY_HOURS). */
export function webhookRetryPolicy(retryHours: number): RetryPolicy {
  return { attempts: webhookAttemptsFor(retryHours), backoffMs: DEFAULT_WEBHOOK_BACKOFF.baseMs, backoffType: WEBHOOK_BACKOFF_TYPE };
}

/** BullMQ worker `settings.backoffStrategy` for custom backoff types (called only for non-builtin types). */
export function backoffStrategy(attemptsMade: number, type?: string): number {
  if (type === WEBHOOK_BACKOFF_TYPE) return webhookBackoffDelayMs(attemptsMade);
  return webhookBackoffDelayMs(attemptsMade, { baseMs: 5_000, capMs: 600_000 });
}

export const DEFAULT_RETRY: Readonly<Record<QueueName, RetryPolicy>> = {
  [QueueName.Bots]: { attempts: 3, backoffMs: 2_000 },
  [QueueName.Media]: { attempts: 5, backoffMs: 5_000 },
  [QueueName.Transcripts]: { attempts: 6, backoffMs: 10_000 },
  [QueueName.Publish]: { attempts: 8, backoffMs: 5_000 },
  [QueueName.Webhooks]: webhookRetryPolicy(24),
};

/** BullMQ options for a job on `queue`: exponential backoff, bounded history kept for `recbot jobs`. */
export function jobOptions(queue: QueueName, jobId: string, retry: Readonly<Record<QueueName, RetryPolicy>> = DEFAULT_RETRY): JobsOptions {
  const policy = retry[queue];
  return {
    jobId,
    attempts: policy.attempts,
    backoff: policy.backoffType ? { type: policy.backoffType } : { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}
