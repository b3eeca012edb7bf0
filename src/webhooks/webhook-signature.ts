import { createHmac, timingSafeEqual } from 'node:crypto';
import { RecbotError } from '../common/errors';

/** Standard Webhooks headers sent with every delivery. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Key bytes of a secret: `whsec_<base64>` decodes to its bytes, any other string is used as is. */
export function webhookSecretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

function hmac(secret: string, id: string, timestampSec: number | string, body: string): string {
  return createHmac('sha256', webhookSecretKey(secret)).update(`${id}.${timestampSec}.${body}`).digest('base64');
}

/**
 * Sign a delivery (Standard Webhooks): `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
 * Pure: the caller supplies id and time, so a retry can resend the same id.
 */
export function signWebhook(opts: { secret: string; id: string; timestampSec: number; body: string }): WebhookHeaders {
  const ts = Math.floor(opts.timestampSec);
  return {
    'webhook-id': opts.id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${hmac(opts.secret, opts.id, ts, opts.body)}`,
  };
}

/** A delivery failed verification (bad or missing signature, stale timestamp). */
export class WebhookVerificationError extends RecbotError {
  constructor(message: string) {
    super('WEBHOOK_VERIFICATION_FAILED', message);
    this.name = 'WebhookVerificationError';
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verify a delivery: checks the timestamp is within `toleranceSec` (default 300 s) of `nowSec` and that
 * one of the space-separated `v1,` signatures matches (constant-time). Returns the parsed JSON body.
 * Throws WebhookVerificationError otherwise.
 */
export function verifyWebhook(opts: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  toleranceSec?: number;
  nowSec?: number;
}): unknown {
  const id = header(opts.headers, 'webhook-id');
  const ts = header(opts.headers, 'webhook-timestamp');
  const sigs = header(opts.headers, 'webhook-signature');
  if (!id || !ts || !sigs) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  if (!/^\d+$/.test(ts)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > (opts.toleranceSec ?? 300)) {
    throw new WebhookVerificationError('webhook-timestamp outside the tolerance');
  }
  const expected = Buffer.from(hmac(opts.secret, id, ts, opts.body), 'base64');
  const match = sigs.split(' ').some((entry) => {
    const [version, sig] = entry.split(',', 2);
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!match) throw new WebhookVerificationError('no matching signature');
  try {
    return JSON.parse(opts.body) as unknown;
  } catch (err) {
    throw new WebhookVerificationError(`body is not JSON: ${String(err)}`);
  }
}
