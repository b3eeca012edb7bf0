/**
 * Issue 11 probes against the real service over real HTTP: auth on by default (start-up refusal,
 * before body parsing, case-insensitive scheme, rate-limited failures, /metrics), no X-Powered-By,
 * no CORS, SSRF targets refused with 400, and no secret in API responses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '../../src/app/bootstrap';

jest.setTimeout(90_000);

const TOKEN = 'api-token-for-security-test-1';

describe('API security defaults', () => {
  let dir: string;
  const services: RunningService[] = [];
  const start = async (env: Record<string, string>): Promise<RunningService> => {
    const s = await startService({ HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent', APP_ROLE: 'api', ...env });
    services.push(s);
    return s;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recbot-sec-'));
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to serve /v1/* on a non-loopback address without API_TOKEN, unless API_AUTH=none', async () => {
    await expect(startService({ HTTP_PORT: '0', HTTP_HOST: '0.0.0.0', WORK_DIR: dir, LOG_LEVEL: 'silent', APP_ROLE: 'api' })).rejects.toThrow(/API_TOKEN=unset: required when HTTP_HOST=0\.0\.0\.0/);
    const open = await start({ HTTP_HOST: '0.0.0.0', API_AUTH: 'none' });
    const port = new URL(open.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/v1/recordings/nope`)).status).toBe(404);
  });

  it('checks the token before parsing the body: scheme case-insensitive, failures rate-limited with Retry-After', async () => {
    const api = await start({ API_TOKEN: TOKEN, API_AUTH_MAX_FAILURES: '4' });
    const post = (auth: string | undefined, body: string) =>
      fetch(`${api.url}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body });
    // malformed and oversized bodies: 401, not 400/413 (the body is never parsed without the token)
    const noAuth = await post(undefined, '{"signalingUrl": ');
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('x-powered-by')).toBeNull();
    expect(noAuth.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post('Bearer wrong', 'x'.repeat(2_000_000))).status).toBe(401);
    // the scheme is case-insensitive: the body is parsed and validated
    const lower = await post(`bearer ${TOKEN}`, '{"signalingUrl": ');
    expect(lower.status).toBe(400);
    expect((await fetch(`${api.url}/v1/recordings/nope`, { headers: { authorization: `BEARER ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    // the fourth failure in the window reaches the limit: then 429, even with the right token
    const third = await fetch(`${api.url}/v1/recordings/nope`, { headers: { authorization: `Token ${TOKEN}` } });
    expect(third.status).toBe(401);
    const limited = await fetch(`${api.url}/v1/recordings/nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_REQUESTS');
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200); // liveness stays open
  });

  it('/metrics behind the token on the API port, or alone on METRICS_PORT; CORS off unless configured', async () => {
    const api = await start({ API_TOKEN: TOKEN });
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const pre = await fetch(`${api.url}/v1/recordings`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const split = await start({ API_TOKEN: TOKEN, METRICS_PORT: '0', CORS_ORIGINS: 'https://app.example' });
    expect(split.metricsUrl).toBeDefined();
    expect((await fetch(`${split.metricsUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${split.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const cors = await fetch(`${split.url}/v1/recordings`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('refuses SSRF targets with 400 and never echoes credentials', async () => {
    const api = await start({ API_TOKEN: TOKEN });
    const post = (body: Record<string, unknown>) =>
      fetch(`${api.url}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    for (const signalingUrl of [
      'http://127.0.0.1:6379', 'http://169.254.169.254/', 'http://metadata.google.internal/', 'http://0x7f000001:6379', 'http://2130706433/',
      'http://[::1]:6379', 'http://[::ffff:127.0.0.1]/', 'http://10.0.0.1/', 'http://localhost:6379',
    ]) {
      const r = await post({ signalingUrl, roomId: 'r' });
      expect({ signalingUrl, status: r.status }).toEqual({ signalingUrl, status: 400 });
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('OUTBOUND_FORBIDDEN');
    }
    const creds = await post({ signalingUrl: 'http://user:url-password-77@signal.example/', roomId: 'r' });
    expect(creds.status).toBe(400);
    expect(await creds.text()).not.toContain('url-password-77');
    expect((await post({ signalingUrl: 'http://signal.example/', appUrl: 'http://169.254.169.254/', roomId: 'r' })).status).toBe(400);
  });

  it('a query token in signalingUrl is kept for the bot but never returned by the API', async () => {
    const api = await start({ API_TOKEN: TOKEN, OUTBOUND_ALLOW: 'loopback' });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const r = await fetch(`${api.url}/v1/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ signalingUrl: 'http://127.0.0.1:9/?token=query-secret-88', roomId: 'r1', appUrl: 'http://127.0.0.1:9/?api_key=app-secret-99' }),
    });
    expect(r.status).toBe(201);
    const created = await r.text();
    const { id } = JSON.parse(created) as { id: string };
    const got = await (await fetch(`${api.url}/v1/recordings/${id}`, { headers: auth })).text();
    for (const text of [created, got]) {
      expect(text).not.toContain('query-secret-88');
      expect(text).not.toContain('app-secret-99');
      expect(text).toContain('[redacted]');
    }
  });

  it('Idempotency-Key: same key and body -> same recording (200), other body -> 409; one active recording per room', async () => {
    const api = await start({ API_TOKEN: TOKEN, OUTBOUND_ALLOW: 'loopback', IDEMPOTENCY_TTL_S: '600' });
    const post = (body: Record<string, unknown>, key?: string) =>
      fetch(`${api.url}/v1/recordings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
      });
    const body = { signalingUrl: 'http://127.0.0.1:9', roomId: 'idem-room', maxDurationS: 60 };
    const first = await post(body, 'key-1');
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };
    const again = await post({ maxDurationS: 60, roomId: 'idem-room', signalingUrl: 'http://127.0.0.1:9' }, 'key-1'); // same body, other key order
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(id);
    const other = await post({ ...body, maxDurationS: 61 }, 'key-1');
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { existingId: string } }).error.existingId).toBe(id);
    expect((await post(body, 'bad key with spaces')).status).toBe(400);
    // the key is kept in Redis with a TTL
    const redis = new Redis(api.redisUrl);
    try {
      const keys = await redis.keys('recbot:idem:*');
      expect(keys).toHaveLength(1);
      const ttl = await redis.ttl(keys[0] ?? '');
      expect(ttl).toBeGreaterThan(500);
      expect(ttl).toBeLessThanOrEqual(600);
    } finally {
      redis.disconnect();
    }
    // the same room again (no key, or another key): 409 naming the active recording
    const dup = await post(body, 'key-2');
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: { existingId: string } }).error.existingId).toBe(id);
    expect((await post({ ...body, roomId: 'video:idem-room' })).status).toBe(409); // the prefix does not dodge it
    const allowed = await post({ ...body, allowDuplicate: true });
    expect(allowed.status).toBe(201);
    expect(((await allowed.json()) as { id: string }).id).not.toBe(id);
    expect((await post({ ...body, roomId: 'another-room' })).status).toBe(201);
    // deleting the active recording frees the room
    expect((await fetch(`${api.url}/v1/recordings/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await post(body)).status).toBe(201);
  });
});
