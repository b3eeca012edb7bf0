import { APIConnectionError, APIError } from 'openai';
import { RecbotError } from '../common/errors';
import { decideRetry, parseRetryAfterMs } from './transcription-retry';

const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
const apiError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: { message: `status ${status}` } }, undefined, new Headers(headers));

describe('parseRetryAfterMs', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfterMs(new Headers({}))).toBeUndefined();
  });
});

describe('decideRetry', () => {
  it('waits Retry-After on 429', () => {
    expect(decideRetry(apiError(429, { 'retry-after': '3' }), 1, policy)).toMatchObject({ retry: true, delayMs: 3000 });
  });
  it('backs off exponentially on 5xx and connection errors', () => {
    expect(decideRetry(apiError(500), 1, policy, () => 1)).toMatchObject({ retry: true, delayMs: 1000 });
    expect(decideRetry(apiError(503), 2, policy, () => 1)).toMatchObject({ retry: true, delayMs: 2000 });
    expect(decideRetry(new APIConnectionError({ message: 'refused' }), 1, policy, () => 0)).toMatchObject({ retry: true, delayMs: 500 });
  });
  it('fails non-retryable on 413 and other 4xx', () => {
    const d = decideRetry(apiError(413), 1, policy);
    expect(d.retry).toBe(false);
    if (!d.retry) expect([d.error.code, d.error.retryable]).toEqual(['TRANSCRIBE_CHUNK_TOO_LARGE', false]);
    const e = decideRetry(apiError(400), 1, policy);
    if (!e.retry) expect([e.error.code, e.error.retryable]).toEqual(['TRANSCRIBE_REJECTED', false]);
    expect(e.retry).toBe(false);
  });
  it('gives a retryable error when attempts run out or Retry-After is too long', () => {
    const d = decideRetry(apiError(500), 3, policy);
    expect(d.retry).toBe(false);
    if (!d.retry) expect([d.error.code, d.error.retryable]).toEqual(['TRANSCRIBE_UNAVAILABLE', true]);
    const long = decideRetry(apiError(429, { 'retry-after': '3600' }), 1, policy);
    expect(long.retry).toBe(false);
  });
  it('passes RecbotErrors through and treats bad JSON as malformed', () => {
    const own = new RecbotError('STORAGE_FAILED', 'x');
    expect(decideRetry(own, 1, policy)).toEqual({ retry: false, error: own });
    const d = decideRetry(new SyntaxError('Unexpected token'), 1, policy);
    if (!d.retry) expect(d.error.code).toBe('TRANSCRIBE_BAD_RESPONSE');
  });
});
