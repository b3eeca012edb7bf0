/**
 * Operator metrics of the API process against a real redis-server: HTTP requests by route pattern
 * (never the raw path) and status, and queue depth per queue and state read at scrape time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startService, type RunningService } from '../../src/app/bootstrap';

jest.setTimeout(60_000);

describe('HTTP and queue metrics', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-metrics-'));
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ APP_ROLE: 'api', HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent' }, { queuePrefix: `metrics${process.pid}` });
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts requests by route pattern and status; queue depth shows the waiting JoinCall', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${svc.url}/v1/recordings/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${svc.url}/no/such/${randomUUID()}`)).status).toBe(404);
    const post = await fetch(`${svc.url}/v1/recordings`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signalingUrl: 'https://meet.example.com', roomId: 'metrics-room' }),
    });
    expect(post.status).toBe(201);
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    expect(text).toMatch(/^recbot_http_requests_total\{method="GET",route="\/v1\/recordings\/:id",status="404"\} 3$/m);
    expect(text).toMatch(/^recbot_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(text).toMatch(/^recbot_http_requests_total\{method="POST",route="\/v1\/recordings",status="201"\} 1$/m);
    expect(text).toMatch(/^recbot_http_request_duration_seconds_count\{method="GET",route="\/v1\/recordings\/:id"\} 3$/m);
    expect(text).not.toMatch(/route="\/no\/such/);
    // No recorder in this process: the JoinCall job waits in the bots queue.
    expect(text).toMatch(/^recbot_queue_jobs\{queue="bots",state="waiting"\} 1$/m);
    expect(text).toMatch(/^recbot_queue_jobs\{queue="bots",state="active"\} 0$/m);
    expect(text).toMatch(/^# TYPE recbot_job_duration_seconds histogram$/m);
  });
});
