import type { JobsOptions } from 'bullmq';
import { QueueName } from './job.types';

/** Retry policy per queue: attempts with exponential backoff (ms base). */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_RETRY: Readonly<Record<QueueName, RetryPolicy>> = {
  [QueueName.Bots]: { attempts: 3, backoffMs: 2_000 },
  [QueueName.Media]: { attempts: 5, backoffMs: 5_000 },
  [QueueName.Transcripts]: { attempts: 6, backoffMs: 10_000 },
  [QueueName.Publish]: { attempts: 8, backoffMs: 5_000 },
  [QueueName.Webhooks]: { attempts: 10, backoffMs: 5_000 },
};

/** BullMQ options for a job on `queue`: exponential backoff, bounded history kept for `recbot jobs`. */
export function jobOptions(queue: QueueName, jobId: string, retry: Readonly<Record<QueueName, RetryPolicy>> = DEFAULT_RETRY): JobsOptions {
  const policy = retry[queue];
  return {
    jobId,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}
