import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { pingRedis } from '../../src/infra/redis-process';

jest.setTimeout(60_000);

describe('service boot (embedded defaults, real redis-server child)', () => {
  let dir: string;
  let svc: RunningService | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recbot-boot-'));
  });
  afterAll(async () => {
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with nothing configured, answers /healthz and /metrics, and stops its redis on close', async () => {
    svc = await startService({ HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent' });
    const health = await fetch(`${svc.url}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; role: string };
    expect(body).toMatchObject({ status: 'ok', role: 'all' });

    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);

    const port = Number(new URL(svc.redisUrl).port);
    expect(await pingRedis(port)).toBe(true);
    await svc.close();
    svc = undefined;
    expect(await pingRedis(port, 500)).toBe(false);
  });

  it('answers bad API input with clear errors and keeps serving', async () => {
    const api = await startService({ HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent', API_TOKEN: 'sekret-token' });
    try {
      const post = (body: string, auth = 'Bearer sekret-token') =>
        fetch(`${api.url}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
      expect((await post('{}', 'Bearer wrong')).status).toBe(401);
      const malformed = await post('{"signalingUrl": ');
      expect(malformed.status).toBe(400);
      const invalid = await post(JSON.stringify({ signalingUrl: 'ftp://x', roomId: 'a\u0000b', extra: 1 }));
      expect(invalid.status).toBe(400);
      const body = (await invalid.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toMatch(/signalingUrl/);
      const huge = await post(JSON.stringify({ signalingUrl: 'http://127.0.0.1:1', roomId: 'x'.repeat(5_000_000) }));
      expect([400, 413]).toContain(huge.status);
      for (const id of ['..%2F..%2Fetc', 'nope', '%00']) {
        const r = await fetch(`${api.url}/v1/recordings/${id}`, { headers: { authorization: 'Bearer sekret-token' } });
        expect(r.status).toBe(404);
      }
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('refuses bad configuration before starting anything', async () => {
    await expect(startService({ HTTP_PORT: 'x', APP_ROLE: 'boss', WORK_DIR: dir })).rejects.toThrow(/HTTP_PORT.*\n.*APP_ROLE|APP_ROLE[\s\S]*HTTP_PORT/);
  });
});
