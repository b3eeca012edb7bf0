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
    expect(metrics).toMatch(/^recbot_process_cpu_user_seconds_total \d/m);

    const port = Number(new URL(svc.redisUrl).port);
    expect(await pingRedis(port)).toBe(true);
    await svc.close();
    svc = undefined;
    expect(await pingRedis(port, 500)).toBe(false);
  });

  it('refuses bad configuration before starting anything', async () => {
    await expect(startService({ HTTP_PORT: 'x', APP_ROLE: 'boss', WORK_DIR: dir })).rejects.toThrow(/HTTP_PORT.*\n.*APP_ROLE|APP_ROLE[\s\S]*HTTP_PORT/);
  });
});
