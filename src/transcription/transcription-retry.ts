import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { RecbotError, errorMessage } from '../common/errors';

/** In-process retry policy for one chunk request. */
export interface TranscriptionRetryPolicy {
  /** Total tries per chunk, including the first. */
  maxAttempts: number;
  /** Exponential backoff base when the server gives no Retry-After. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends in-process retries (the job retries later instead). */
  maxRetryAfterMs: number;
}

export const DEFAULT_TRANSCRIPTION_RETRY: TranscriptionRetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** Read `retry-after-ms` or `retry-after` (seconds or HTTP date) from response headers, in ms. Pure. */
export function parseRetryAfterMs(headers: { get(name: string): string | null } | undefined, nowMs = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers?.get('retry-after');
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** What to do after a failed request. */
export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; error: RecbotError };

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Classify an error from the openai SDK after attempt number `attempt` (1-based). 429/5xx/408/409 and
 * connection failures retry, waiting the server's Retry-After when given, else exponential backoff with
 * jitter; 413 and other 4xx fail at once and are not retryable; exhausted retries give a retryable error. Pure.
 */
export function decideRetry(
  err: unknown,
  attempt: number,
  policy: TranscriptionRetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (err instanceof RecbotError) return { retry: false, error: err };
  if (err instanceof APIUserAbortError) {
    return { retry: false, error: new RecbotError('TRANSCRIBE_ABORTED', 'transcription aborted', { cause: err }) };
  }
  const status = err instanceof APIError ? err.status : undefined;
  if (status === 413) {
    return {
      retry: false,
      error: new RecbotError('TRANSCRIBE_CHUNK_TOO_LARGE', `endpoint rejected the chunk as too large (413): ${errorMessage(err)}. Lower TRANSCRIBE_CHUNK_MAX_BYTES.`, { cause: err }),
    };
  }
  const transient = err instanceof APIConnectionError || (status !== undefined && isRetryableStatus(status));
  if (!transient) {
    // By name: a SyntaxError thrown by fetch's JSON parser may come from another realm.
    if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'SyntaxError') {
      return { retry: false, error: new RecbotError('TRANSCRIBE_BAD_RESPONSE', `endpoint returned malformed JSON: ${errorMessage(err)}`, { cause: err }) };
    }
    const what = status !== undefined ? `HTTP ${status}` : 'request failed';
    return { retry: false, error: new RecbotError('TRANSCRIBE_REJECTED', `transcription ${what}: ${errorMessage(err)}`, { cause: err }) };
  }
  const what = status !== undefined ? `HTTP ${status}` : 'connection error';
  const retryAfter = err instanceof APIError ? parseRetryAfterMs(err.headers) : undefined;
  if (attempt >= policy.maxAttempts || (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs)) {
    return {
      retry: false,
      error: new RecbotError('TRANSCRIBE_UNAVAILABLE', `transcription endpoint unavailable after ${attempt} attempt(s): ${what}: ${errorMessage(err)}`, {
        retryable: true,
        cause: err,
      }),
    };
  }
  if (retryAfter !== undefined) return { retry: true, delayMs: retryAfter, reason: `${what}, Retry-After` };
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.round(exp * (0.5 + random() / 2)), reason: what };
}
