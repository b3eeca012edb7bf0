import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { startRedisServer, type RedisServerHandle } from '../../src/infra/redis-process';
import { startTestRedis } from '../support/redis-server';

jest.setTimeout(90_000);

interface Ready {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Poll until `pred` holds for a /readyz answer; returns the answer and the ms it took. */
async function waitReadyz(url: string, pred: (status: number, body: Ready) => boolean, limitMs: number): Promise<{ status: number; body: Ready; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = await fetch(`${url}/readyz`);
    const body = (await r.json()) as Ready;
    if (pred(r.status, body)) return { status: r.status, body, ms: Date.now() - t0 };
    if (Date.now() - t0 > limitMs) throw new Error(`/readyz still ${r.status} ${JSON.stringify(body)} after ${limitMs} ms`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('/livez and /readyz against a real redis-server that stops and restarts', () => {
  let dir: string;
  let redis: RedisServerHandle;
  let svc: RunningService | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recbot-readyz-'));
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await svc?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 within seconds of Redis stopping (liveness stays 200) and 200 again after it restarts', async () => {
    svc = await startService(
      { HTTP_PORT: '0', WORK_DIR: join(dir, 'work'), LOG_LEVEL: 'silent', REDIS_URL: redis.url, APP_ROLE: 'recorder' },
      { queuePrefix: `readyz${process.pid}` },
    );
    const up = await waitReadyz(svc.url, (s) => s === 200, 10_000);
    expect(up.body.checks.redis?.ok).toBe(true);
    expect(up.body.checks.storage?.ok).toBe(true);
    expect(up.body.checks.disk?.ok).toBe(true);
    expect(up.body.checks.capacity?.detail).toMatch(/acceptingCalls=true/);

    await redis.stop();
    const down = await waitReadyz(svc.url, (s) => s === 503, 5_000);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.redis?.ok).toBe(false);
    expect(down.body.checks.storage?.ok).toBe(true);
    expect((await fetch(`${svc.url}/livez`)).status).toBe(200);
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(503);

    const again = await startRedisServer({ port: redis.port, dataDir: join(dir, 'redis2'), persistence: 'none' });
    try {
      const back = await waitReadyz(svc.url, (s) => s === 200, 10_000);
      expect(back.body.checks.redis?.ok).toBe(true);
      process.stdout.write(`readyz: 503 ${down.ms} ms after redis stopped, 200 ${back.ms} ms after it restarted\n`);
    } finally {
      await svc.close();
      svc = undefined;
      await again.stop();
    }
  });
});
