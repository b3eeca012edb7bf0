import { RecbotError } from '../common/errors';

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
const RETRYABLE_NAMES = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'Throttling', 'ThrottlingException',
  'TooManyRequestsException', 'RequestThrottled', 'InternalError', 'ServiceUnavailable', 'NetworkingError',
  'BadDigest', 'IncompleteBody', 'XAmzContentSHA256Mismatch',
]);
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);

/** Shape of errors thrown by the AWS SDK / Node sockets (read defensively). */
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

/** HTTP status of an SDK error, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  const s = (err as ErrorLike | undefined)?.$metadata?.httpStatusCode;
  return typeof s === 'number' ? s : undefined;
}

/** True if the error says the object (or version) does not exist. */
export function isNotFound(err: unknown): boolean {
  const e = err as ErrorLike | undefined;
  return (typeof e?.name === 'string' && NOT_FOUND_NAMES.has(e.name)) || httpStatusOf(err) === 404 || e?.code === 'ENOENT';
}

/**
 * Classify a storage failure as a RecbotError: retryable for network errors, timeouts, throttling
 * and 5xx; non-retryable for auth, validation, not-found and other 4xx. Pure.
 */
export function classifyStorageError(err: unknown, op: string, key?: string): RecbotError {
  if (err instanceof RecbotError) return err;
  const e = (err ?? {}) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = httpStatusOf(err);
  const msg = typeof e.message === 'string' ? e.message : String(err);
  // The SDK re-wraps errors from another realm (e.g. under jest) and keeps only the message.
  const code = typeof e.code === 'string' ? e.code : /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(msg)?.[1];
  const where = key === undefined ? op : `${op} ${key}`;
  const text = `${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${msg}`;
  if (isNotFound(err)) return new RecbotError('STORAGE_NOT_FOUND', text, { cause: err });
  if (name === 'InvalidRange' || status === 416) return new RecbotError('STORAGE_INVALID_RANGE', text, { cause: err });
  const retryable =
    RETRYABLE_NAMES.has(name) ||
    (code !== undefined && RETRYABLE_CODES.has(code)) ||
    (status !== undefined && (status >= 500 || status === 429 || status === 408)) ||
    (status === undefined && e.$retryable !== undefined) ||
    (status === undefined && name === 'AbortError');
  if (status === 403 || name === 'AccessDenied') {
    return new RecbotError('STORAGE_ACCESS_DENIED', text, { cause: err });
  }
  return new RecbotError(retryable ? 'STORAGE_UNAVAILABLE' : 'STORAGE_FAILED', text, { retryable, cause: err });
}
