/**
 * Admin CLIs: `recbot jobs [list|retry <queue> <id>|retry-all]` against a real redis-server with
 * failed BullMQ jobs, and `recbot storage apply-lifecycle` against Ceph RGW (foreign rules kept,
 * idempotent). One run goes through the real entry point (src/main.ts in a child process).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { commands } from '../../src/cli/commands';
import { RecbotError } from '../../src/common/errors';
import type { RedisServerHandle } from '../../src/infra/redis-process';
import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { DEFAULT_RETRY } from '../../src/jobs/job-options';
import { JobRepository } from '../../src/jobs/job.repository';
import { JobName, QueueName } from '../../src/jobs/job.types';
import { waitFor } from '../../src/testworld/synthetic/test-world';
import { startTestRedis } from '../support/redis-server';
import { createTestBucket } from '../support/rgw';
import { s3Env } from './pipeline-e2e.support';

jest.setTimeout(120_000);
const run = promisify(execFile);

const HOOK = `const ts = require(${JSON.stringify(require.resolve('typescript'))});
const fs = require('fs');
require.extensions['.ts'] = (m, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, fileName: filename });
  m._compile(out.outputText, filename);
};`;

/** Run a CLI command in-process; returns exit code and stdout. */
async function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string }> {
  const [name, ...rest] = args;
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    const code = await commands[name as string]!.run(rest, env);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

describe('recbot jobs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-e2e-cli-'));
  let redis: RedisServerHandle;
  let repo: JobRepository;
  let attempts = 0;
  beforeAll(async () => {
    redis = await startTestRedis();
    repo = new JobRepository({ redisUrl: redis.url, retry: { ...DEFAULT_RETRY, [QueueName.Publish]: { attempts: 1, backoffMs: 10 } } });
    const registry = new JobHandlerRegistry().register(JobName.Publish, async (d) => {
      attempts++;
      if (d.recordingId.startsWith('bad') && attempts <= 2) throw new RecbotError('OUTPUT_INVALID', `publish of ${d.recordingId} failed`, { retryable: false });
      return { ok: true };
    });
    repo.startWorkers(registry, { queues: [QueueName.Publish] });
  });
  afterAll(async () => {
    await repo?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists failed jobs (also through src/main.ts), retries one, then all', async () => {
    await repo.add({ name: JobName.Publish, data: { recordingId: 'bad-1' } });
    await repo.add({ name: JobName.Publish, data: { recordingId: 'bad-2' } });
    const env = { REDIS_URL: redis.url, LOG_LEVEL: 'silent' };
    const q = repo.queue(QueueName.Publish);
    await waitFor(() => attempts >= 2, 15_000, 'two failed attempts');
    for (let i = 0; i < 50 && (await q.getFailedCount()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await q.getFailedCount()).toBe(2);

    const list = await cli(['jobs', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/publish\tpublish\.bad-1[^\n]*Publish\tattempts=1[^\n]*publish of bad-1 failed/);
    expect(list.out).toMatch(/publish of bad-2 failed/);

    // The real entry point (transpiled on the fly): same listing as JSON.
    const hook = path.join(dir, 'hook.js');
    writeFileSync(hook, HOOK);
    const main = path.join(__dirname, '../../src/main.ts');
    const { stdout } = await run(process.execPath, ['-r', hook, main, 'jobs', 'list', '--json'], { env: { ...process.env, ...env }, timeout: 60_000 });
    const json = JSON.parse(stdout) as { queue: string; id: string; failedReason: string }[];
    expect(json.map((j) => j.id).sort()).toEqual(list.out.match(/publish\.bad-\d/g)?.sort());

    const id1 = json.find((j) => j.failedReason.includes('bad-1'))!.id;
    expect((await cli(['jobs', 'retry', 'publish', id1], env)).out).toBe(`retrying publish/${id1}\n`);
    await waitFor(() => attempts >= 3, 15_000, 'retried job ran');
    for (let i = 0; i < 50 && (await q.getCompletedCount()) < 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await q.getCompletedCount()).toBe(1);
    expect(await cli(['jobs', 'retry', 'publish', id1], env)).toEqual({ code: 1, out: `no failed job publish/${id1}\n` });
    await expect(cli(['jobs', 'retry', 'nosuchqueue', 'x'], env)).rejects.toThrow(/queue must be one of/);

    expect((await cli(['jobs', 'retry-all'], env)).out).toBe('retrying 1 failed job\n');
    for (let i = 0; i < 50 && (await q.getCompletedCount()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await q.getCompletedCount()).toBe(2);
    expect((await cli(['jobs', 'list'], env)).out).toBe('no failed jobs\n');
  });
});

describe('recbot storage apply-lifecycle', () => {
  it("merges recbot's rules into the bucket (foreign rule kept), idempotently", async () => {
    const { bucket, info, client } = await createTestBucket('e2e-cli-lc');
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'team-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }] },
      }),
    );
    const env = { ...s3Env(info, bucket), STAGING_EXPIRE_DAYS: '2', LOG_LEVEL: 'silent' };
    const first = await cli(['storage', 'apply-lifecycle'], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`applied to bucket ${bucket}: recbot-staging-expire, recbot-retention, recbot-abort-multipart`));
    const rules = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
    expect(rules.map((r) => r.ID).sort()).toEqual(['recbot-abort-multipart', 'recbot-retention', 'recbot-staging-expire', 'team-logs']);
    expect(rules.find((r) => r.ID === 'recbot-staging-expire')?.Expiration?.Days).toBe(2);
    expect((await cli(['storage', 'apply-lifecycle'], env)).code).toBe(0);
    const again = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
    expect(again.map((r) => r.ID).sort()).toEqual(rules.map((r) => r.ID).sort());
    // fs driver: nothing to apply; a wrong subcommand is refused.
    expect((await cli(['storage', 'apply-lifecycle'], { WORK_DIR: path.join(tmpdir(), 'recbot-cli-fs') })).out).toMatch(/storage driver fs: no lifecycle rules/);
    await expect(cli(['storage', 'nope'], env)).rejects.toThrow(/usage: recbot storage apply-lifecycle/);
  });
});
