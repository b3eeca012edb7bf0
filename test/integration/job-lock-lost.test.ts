/**
 * A worker that loses a job's lock (Redis lost or expired it: an outage longer than the lock, a
 * stalled event loop) learns it through JobContext.lockLost, and BullMQ hands the job to another
 * worker as stalled. Real redis-server; the lock is taken away by deleting its key.
 */
import { Redis } from 'ioredis';
import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { JobRepository } from '../../src/jobs/job.repository';
import { JobName, QueueName } from '../../src/jobs/job.types';
import { startTestRedis, type RedisServerHandle } from '../support/redis-server';

describe('JobContext.lockLost (real Redis)', () => {
  let redis: RedisServerHandle | undefined;
  const repos: JobRepository[] = [];
  afterAll(async () => {
    for (const r of repos) await r.close().catch(() => undefined);
    await redis?.stop();
  });

  it('aborts when the lock cannot be renewed, and another worker then runs the job', async () => {
    redis = await startTestRedis();
    const timing = { lockDurationMs: 2000, stalledIntervalMs: 1000 };
    const runs: { worker: string; lostAfterMs?: number }[] = [];
    let release: (() => void) | undefined;
    const released = new Promise<void>((r) => (release = r));
    const registryFor = (worker: string): JobHandlerRegistry =>
      new JobHandlerRegistry().register(JobName.JoinCall, async (_d, ctx) => {
        const run: { worker: string; lostAfterMs?: number } = { worker };
        runs.push(run);
        const t0 = Date.now();
        ctx.lockLost?.addEventListener('abort', () => (run.lostAfterMs = Date.now() - t0));
        await released;
        return worker;
      });
    const a = new JobRepository({ redisUrl: redis.url, prefix: 'locktest', timing });
    repos.push(a);
    a.startWorkers(registryFor('a'), { queues: [QueueName.Bots] });
    const id = await a.add({ name: JobName.JoinCall, data: { recordingId: 'rec-lock', part: 0 } });
    const until = async (ok: () => boolean, ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out; runs ${JSON.stringify(runs)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => runs.length === 1, 10_000);
    // Healthy: the lock is renewed every lockDuration/2, nothing aborts.
    await new Promise((r) => setTimeout(r, 2500));
    expect(runs[0]?.lostAfterMs).toBeUndefined();

    // A second worker joins; then Redis loses worker a's lock.
    const b = new JobRepository({ redisUrl: redis.url, prefix: 'locktest', timing });
    repos.push(b);
    b.startWorkers(registryFor('b'), { queues: [QueueName.Bots] });
    const cli = new Redis(redis.url);
    try {
      expect(await cli.del(`locktest:${QueueName.Bots}:${id}:lock`)).toBe(1);
    } finally {
      cli.disconnect();
    }
    await until(() => runs[0]?.lostAfterMs !== undefined, 5000);
    // The stalled job runs again (on a or b) while the first run is still going.
    await until(() => runs.length >= 2, 10_000);
    expect(runs[1]?.lostAfterMs).toBeUndefined();
    release?.();
  });
});
