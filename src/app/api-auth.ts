import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError, RecbotError } from '../common/errors';
import { unmapIpv4, classifyIp } from '../security/outbound-policy';

/** A client failed authentication too often; `retryAfterS` goes to the Retry-After header. */
export class RateLimitedError extends RecbotError {
  constructor(readonly retryAfterS: number) {
    super('TOO_MANY_REQUESTS', `too many failed authentication attempts; retry after ${retryAfterS} s`, { retryable: true });
    this.name = 'RateLimitedError';
  }
}

/** Whether the HTTP listen address only accepts local connections. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  return isIP(h) !== 0 && classifyIp(unmapIpv4(h)) === 'loopback';
}

/**
 * How /v1/* (and /metrics on the API port) is protected: 'token' with API_TOKEN; 'open' only on a
 * loopback listen address or with API_AUTH=none set explicitly. Anything else refuses to start.
 */
export function apiAuthMode(c: { API_TOKEN?: string; API_AUTH: 'token' | 'none'; HTTP_HOST: string; APP_ROLE: string }): 'token' | 'open' {
  if (c.API_AUTH === 'none') return 'open';
  if (c.API_TOKEN) return 'token';
  if (isLoopbackHost(c.HTTP_HOST) || (c.APP_ROLE !== 'api' && c.APP_ROLE !== 'all')) return 'open';
  throw new ConfigError([
    `API_TOKEN=unset: required when HTTP_HOST=${c.HTTP_HOST} is not a loopback address (set API_TOKEN, or API_AUTH=none to serve /v1/* without authentication)`,
  ]);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time check of an Authorization header against the token; the scheme is case-insensitive. */
export function checkBearer(header: string | undefined, token: string): 'ok' | 'missing' | 'scheme' | 'mismatch' {
  if (!header) return 'missing';
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m?.[1]) return 'scheme';
  // Hashing first makes the comparison independent of both lengths.
  return timingSafeEqual(digest(m[1]), digest(token)) ? 'ok' : 'mismatch';
}

/**
 * Failed attempts per client address in a fixed window; a client over the limit is refused (429)
 * until its window ends, whatever it sends. Bounded: at most `maxClients` addresses are tracked.
 */
export class AuthFailureLimiter {
  private readonly clients = new Map<string, { count: number; resetMs: number }>();

  constructor(private readonly opts: { maxFailures: number; windowMs: number; maxClients?: number }) {}

  /** Seconds until `client` may try again, or 0 when it is not limited. */
  blockedForS(client: string, now = Date.now()): number {
    const c = this.clients.get(client);
    if (!c || c.resetMs <= now) return 0;
    return c.count >= this.opts.maxFailures ? Math.ceil((c.resetMs - now) / 1000) : 0;
  }

  /** Count one failure of `client`. */
  fail(client: string, now = Date.now()): void {
    let c = this.clients.get(client);
    if (!c || c.resetMs <= now) {
      if (!c && this.clients.size >= (this.opts.maxClients ?? 10_000)) this.evict(now);
      c = { count: 0, resetMs: now + this.opts.windowMs };
      this.clients.set(client, c);
    }
    c.count++;
  }

  private evict(now: number): void {
    for (const [k, v] of this.clients) if (v.resetMs <= now) this.clients.delete(k);
    // still full: drop the oldest entry (Map keeps insertion order)
    if (this.clients.size >= (this.opts.maxClients ?? 10_000)) {
      const first = this.clients.keys().next();
      if (!first.done) this.clients.delete(first.value);
    }
  }
}
