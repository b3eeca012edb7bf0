import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, STORAGE } from '../app/tokens';
import { createLogger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { HealthService } from '../health/health.service';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobRepository } from '../jobs/job.repository';
import { QueueName } from '../jobs/job.types';
import { CallControl } from '../recordings/call-control';
import type { StorageDriver } from '../storage/storage.types';
import { onJoinCallFinalFailure, registerJoinCall } from './join-call.processor';
import { recorderMetrics } from './recorder.metrics';
import { RecorderRuntime } from './recorder-runtime';
import { RunningCalls } from './running-calls';

/**
 * The recorder role's Nest lifecycle: start the RecorderRuntime (which recovers the spool and
 * uploads what was left), register the JoinCall processor and take calls from the `bots` queue
 * within RECORDER_MAX_CALLS. On shutdown it stops taking calls and drains: running calls continue
 * until they end or SHUTDOWN_GRACE_MS passes, then hand over to another recorder.
 */
@Injectable()
export class RecorderService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = createLogger({ component: 'recorder' });
  private runtime?: RecorderRuntime;
  private calls?: RunningCalls;
  private unsubscribe?: () => void;
  private draining = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly jobs: JobRepository,
    private readonly registry: JobHandlerRegistry,
    private readonly control: CallControl,
    private readonly health: HealthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    const runtime = await RecorderRuntime.start({
      config: c, storage: this.storage, recover: 'all', onSegmentStored: (id, key) => this.calls?.segmentStored(id, key),
    });
    const calls = new RunningCalls({ config: c, storage: this.storage, jobs: this.jobs, control: this.control, runtime, draining: () => this.draining });
    this.runtime = runtime;
    this.calls = calls;
    const guard = runtime.diskGuard;
    recorderMetrics({ calls: () => calls.size, notRecorded: () => calls.notRecorded(), uploader: runtime.uploader, diskGuard: guard, maxCalls: c.RECORDER_MAX_CALLS });
    this.health.register('disk', () => ({
      ok: !guard?.isFull(),
      detail: `spool free ${Math.round(guard?.freeMb ?? 0)} MB (floor ${c.DISK_MIN_FREE_MB} MB)`,
    }));
    this.health.register('draining', () => ({ ok: !this.draining, detail: this.draining ? 'draining calls' : undefined }));
    // At capacity a recorder is still healthy and ready: it just takes no new call from the queue.
    this.health.register(
      'capacity',
      () => ({ ok: calls.size < c.RECORDER_MAX_CALLS, detail: `${calls.size}/${c.RECORDER_MAX_CALLS} calls; acceptingCalls=${calls.size < c.RECORDER_MAX_CALLS}` }),
      'info',
    );
    this.unsubscribe = await this.control.subscribe((msg) => void calls.stop(msg.recordingId, msg.type === 'delete' ? 'deleted' : 'stopped'));
    registerJoinCall(this.registry, calls);
    this.jobs.startWorkers(this.registry, {
      queues: [QueueName.Bots],
      concurrency: { [QueueName.Bots]: c.RECORDER_MAX_CALLS },
      onFinalFailure: (job) => onJoinCallFinalFailure(calls, job),
    });
    this.log.info({ maxCalls: c.RECORDER_MAX_CALLS, spool: runtime.spoolDir }, 'recorder ready');
  }

  /** SIGTERM: stop taking calls; after SHUTDOWN_GRACE_MS hand running calls over; wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const grace = setTimeout(() => this.calls?.stopAll('shutdown'), this.config.SHUTDOWN_GRACE_MS);
    if (this.calls && this.calls.size > 0) this.log.info({ calls: this.calls.size, graceMs: this.config.SHUTDOWN_GRACE_MS }, 'draining calls');
    await this.jobs.close();
    clearTimeout(grace);
    this.unsubscribe?.();
    await this.runtime?.close();
  }
}
