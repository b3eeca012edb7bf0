import { UnrecoverableError } from 'bullmq';
import { RecbotError, errorMessage } from '../common/errors';

/**
 * Map a handler failure for BullMQ: a non-retryable RecbotError becomes UnrecoverableError (no
 * more attempts); everything else is rethrown as is, so BullMQ retries with backoff. Unknown
 * errors are treated as retryable (a crash in a handler is more often transient than not).
 */
export function toBullError(err: unknown): Error {
  if (err instanceof RecbotError && !err.retryable) {
    const e = new UnrecoverableError(`${err.code}: ${err.message}`);
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  if (err instanceof Error) return err;
  return new Error(errorMessage(err));
}
