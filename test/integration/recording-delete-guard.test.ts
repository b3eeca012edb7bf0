/**
 * DELETE of a recording while its post-call jobs are queued or running (real redis-server for the
 * CallControl tombstone, fs storage): queued jobs are skipped, a job in flight has its writes removed
 * again, and only the recording.deleted webhook still runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logger';
import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { JobName } from '../../src/jobs/job.types';
import { CallControl } from '../../src/recordings/call-control';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import { deletedRecordingGuard } from '../../src/worker/deleted-recording-guard';
import { startTestRedis, type RedisServerHandle } from '../support/redis-server';

describe('jobs of a deleted recording', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-delete-guard-'));
  let redis: RedisServerHandle;
  let control: CallControl;
  const storage = new FsStorageDriver(join(dir, 'storage'));
  beforeAll(async () => {
    redis = await startTestRedis();
    control = new CallControl(redis.url);
  });
  afterAll(async () => {
    await control.onModuleDestroy();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips queued jobs, removes what a running job wrote after the delete, still sends recording.deleted', async () => {
    const ran: string[] = [];
    const registry = new JobHandlerRegistry()
      .register(JobName.MuxSpeaker, async (d) => {
        ran.push(`mux ${d.recordingId}`);
        await storage.putBuffer(`recordings/${d.recordingId}/speakers/${d.participantId}.webm`, 'media');
        if (d.participantId === 'slow') await control.requestDelete(d.recordingId); // DELETE lands while the job runs
        return null;
      })
      .register(JobName.Webhook, async (d) => void ran.push(`webhook ${d.event}`))
      .use(deletedRecordingGuard({ control, storage, log: createLogger({ component: 'test' }) }));
    const ctx = { jobId: 'j', attempt: 1 } as never;
    const mux = registry.get(JobName.MuxSpeaker)!;
    const hook = registry.get(JobName.Webhook)!;

    // A live recording: the job runs and its output stays.
    await mux({ recordingId: 'live', participantId: 'p' }, ctx);
    expect(await storage.head('recordings/live/speakers/p.webm')).toBeDefined();

    // Deleted while a mux ran: the output it wrote afterwards is removed again.
    await mux({ recordingId: 'gone', participantId: 'slow' }, ctx);
    expect(await storage.list('recordings/gone/')).toEqual([]);
    // Queued jobs of the deleted recording do nothing; its recording.deleted webhook runs.
    expect(await mux({ recordingId: 'gone', participantId: 'other' }, ctx)).toEqual({ skipped: 'recording deleted' });
    expect(await hook({ recordingId: 'gone', event: 'recording.completed' }, ctx)).toEqual({ skipped: 'recording deleted' });
    await hook({ recordingId: 'gone', event: 'recording.deleted' }, ctx);
    expect(ran).toEqual(['mux live', 'mux gone', 'webhook recording.deleted']);
    expect(await control.isDeleted('live')).toBe(false);
  });
});
