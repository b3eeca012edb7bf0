import { Inject, Injectable, Optional } from '@nestjs/common';
import { FlowProducer, Queue, Worker, type ConnectionOptions, type Job, type JobNode } from 'bullmq';
import { APP_CONFIG } from '../app/tokens';
import { createLogger } from '../common/logger';
import { clearQueueDepthSource, jobDurationSeconds, setQueueDepthSource } from './job.metrics';
import type { AppConfig } from '../config/config.schema';
import { jobId } from './job-ids';
import { DEFAULT_RETRY, backoffStrategy, jobOptions, type RetryPolicy } from './job-options';
import { toBullError } from './job.errors';
import type { JobTiming } from './jobs.config';
import { parsePayload } from './job.schemas';
import type { JobHandlerRegistry } from './job-handler.registry';
import { JOB_QUEUE, JobName, QueueName, type JobItem } from './job.types';
import { buildRecordingFlow, type FlowSpeaker, type RecordingFlowOptions } from './recording-flow';

/** Nest token for {@link JobRepositoryOptions}. */
export const JOB_REPOSITORY_OPTIONS = Symbol('JOB_REPOSITORY_OPTIONS');

export interface JobRepositoryOptions {
  /** redis://[:password@]host:port[/db] */
  redisUrl: string;
  /** BullMQ key prefix (tests use their own). */
  prefix?: string;
  retry?: Readonly<Record<QueueName, RetryPolicy>>;
  /** Lock and stall-check intervals of the workers (default: the config's JOB_LOCK_DURATION_MS / JOB_STALLED_INTERVAL_MS, else 30 s). */
  timing?: Partial<JobTiming>;
}

export interface WorkerOptions {
  queues: readonly QueueName[];
  /** Called once when a job has failed for good (no attempts left, or non-retryable). */
  onFinalFailure?(job: { name: JobName; data: unknown; error: string }): Promise<void>;
  /** Concurrency per queue (default 1). */
  concurrency?: Partial<Record<QueueName, number>>;
  /**
   * How often a job may stall (its worker died) before it fails; default 10 for `bots` (a recorder
   * that dies mid-call leaves a stalled JoinCall that another recorder takes over), else 2.
   */
  maxStalledCount?: Partial<Record<QueueName, number>>;
}

/**
 * ioredis connection options from a redis:// or rediss:// URL (BullMQ workers need
 * maxRetriesPerRequest: null). rediss:// keeps TLS (certificate checked against the host name).
 */
export function redisConnection(redisUrl: string): ConnectionOptions {
  const u = new URL(redisUrl);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    port: u.port ? Number(u.port) : 6379,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    db,
    maxRetriesPerRequest: null,
  };
}

/**
 * All BullMQ I/O behind one injectable: typed `add`, the per-recording flow, workers that dispatch
 * to a {@link JobHandlerRegistry}. Handler errors reach BullMQ (retries with backoff); non-retryable
 * RecbotErrors become UnrecoverableError.
 */
@Injectable()
export class JobRepository {
  private readonly log = createLogger({ component: 'jobs' });
  private readonly connection: ConnectionOptions;
  private readonly prefix: string;
  private readonly retry: Readonly<Record<QueueName, RetryPolicy>>;
  private readonly timing: JobTiming;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  /** Per running job: aborted when its lock could not be renewed (JobContext.lockLost). */
  private readonly lockLost = new Map<string, AbortController>();
  private flow?: FlowProducer;
  private closing?: Promise<void>;

  constructor(@Inject(JOB_REPOSITORY_OPTIONS) opts: JobRepositoryOptions, @Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.connection = redisConnection(opts.redisUrl);
    this.prefix = opts.prefix ?? 'recbot';
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.timing = {
      lockDurationMs: opts.timing?.lockDurationMs ?? config?.JOB_LOCK_DURATION_MS ?? 30_000,
      stalledIntervalMs: opts.timing?.stalledIntervalMs ?? config?.JOB_STALLED_INTERVAL_MS ?? 30_000,
    };
    setQueueDepthSource(this);
  }

  /** Job counts per queue and state (for the recbot_queue_jobs gauge at scrape time). */
  async depths(): Promise<Record<string, Record<string, number>>> {
    if (this.closing) return {};
    const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
    const entries = await Promise.all(Object.values(QueueName).map(async (q) => [q, await this.queue(q).getJobCounts(...states)] as const));
    return Object.fromEntries(entries);
  }

  /** The BullMQ queue `name` (created lazily). */
  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Without a listener BullMQ prints every Redis connection error to the console (Redis restarts).
      q.on('error', (err) => this.log.warn({ queue: name, err: err.message }, 'queue connection error'));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Add one job with its deterministic id; returns the id (adding an existing id is a no-op). */
  async add(item: JobItem, opts: { delayMs?: number } = {}): Promise<string> {
    const queue = JOB_QUEUE[item.name];
    const id = jobId(item);
    await this.queue(queue).add(item.name, item.data, { ...jobOptions(queue, id, this.retry), ...(opts.delayMs ? { delay: opts.delayMs } : {}) });
    return id;
  }

  /** Add the post-call flow of a recording (see buildRecordingFlow). Idempotent. */
  async createRecordingFlow(
    recordingId: string,
    speakers: readonly FlowSpeaker[],
    opts: Omit<RecordingFlowOptions, 'retry'> = { transcribe: true, mix: true },
  ): Promise<JobNode> {
    if (!this.flow) {
      this.flow = new FlowProducer({ connection: this.connection, prefix: this.prefix });
      this.flow.on('error', (err) => this.log.warn({ err: err.message }, 'flow producer connection error'));
    }
    return this.flow.add(buildRecordingFlow(recordingId, speakers, { ...opts, retry: this.retry }));
  }

  /** Start workers for `queues`, dispatching to `registry`. Fails if a carried job has no handler. */
  startWorkers(registry: JobHandlerRegistry, opts: WorkerOptions): void {
    registry.assertComplete(opts.queues);
    for (const queue of opts.queues) {
      const worker = new Worker(queue, (job: Job) => this.process(registry, job), {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: opts.concurrency?.[queue] ?? 1,
        maxStalledCount: opts.maxStalledCount?.[queue] ?? (queue === QueueName.Bots ? 10 : 2),
        lockDuration: this.timing.lockDurationMs,
        stalledInterval: this.timing.stalledIntervalMs,
        settings: { backoffStrategy },
      });
      worker.on('failed', (job, err) => {
        this.log.warn({ queue, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: err.message }, 'job failed');
        const final = job && (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
        if (final && opts.onFinalFailure) {
          void opts.onFinalFailure({ name: job.name as JobName, data: job.data as unknown, error: err.message }).catch((e: unknown) =>
            this.log.error({ jobId: job.id, err: String(e) }, 'final-failure hook failed'),
          );
        }
      });
      worker.on('error', (err) => {
        // Lock renewal failures are reported once per job by the lockRenewalFailed handler below.
        if (err.message.startsWith('could not renew lock for job')) return;
        // A run that lost its lock finished: BullMQ refuses its result (the job's new run owns it).
        if (/^(Missing lock|Lock mismatch) for job/.test(err.message)) this.log.warn({ queue, err: err.message }, 'result of a run that lost its job lock ignored');
        else this.log.error({ queue, err: err.message }, 'worker error');
      });
      worker.on('lockRenewalFailed', (ids) => {
        for (const id of ids) {
          const lost = this.lockLost.get(id);
          if (!lost || lost.signal.aborted) continue;
          this.log.warn({ queue, jobId: id }, 'job lock lost (not renewed in time); the job will run again');
          lost.abort();
        }
      });
      this.workers.push(worker);
    }
  }

  private async process(registry: JobHandlerRegistry, job: Job): Promise<unknown> {
    const handler = registry.get(job.name);
    if (!handler) throw toBullError(new Error(`no handler for ${job.name}`));
    const log = this.log.child({ jobId: job.id, job: job.name });
    const started = Date.now();
    const lockLost = new AbortController();
    if (job.id) this.lockLost.set(job.id, lockLost);
    try {
      const data = parsePayload(job.name as JobName, job.data as unknown);
      const result = await handler(data, {
        jobId: job.id ?? '',
        attempt: job.attemptsMade + 1,
        progress: (pct) => job.updateProgress(pct),
        lockLost: lockLost.signal,
        updateData: (d) => job.updateData(d),
      });
      log.info({ ms: Date.now() - started }, 'job completed');
      jobDurationSeconds.observe({ job: job.name, outcome: 'completed' }, (Date.now() - started) / 1000);
      return result;
    } catch (err) {
      jobDurationSeconds.observe({ job: job.name, outcome: 'failed' }, (Date.now() - started) / 1000);
      throw toBullError(err);
    } finally {
      if (job.id && this.lockLost.get(job.id) === lockLost) this.lockLost.delete(job.id);
    }
  }

  /** Nest shutdown hook (runs after feature modules drained their calls). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * Close workers, then queues and the flow producer. Idempotent. Each close is bounded: BullMQ's
   * Worker.close() never resolves when its blocking connection sits in ioredis' reconnecting state
   * (taskforcesh/bullmq#4656, seen here after a Redis restart), so after CLOSE_TIMEOUT_MS the
   * connections are dropped instead and shutdown goes on.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearQueueDepthSource(this);
      await Promise.all(this.workers.map((w) => boundedClose(`worker ${w.name}`, () => w.close(), () => w.disconnect())));
      await Promise.all([...this.queues.values()].map((q) => boundedClose(`queue ${q.name}`, () => q.close(), () => q.disconnect())));
      const flow = this.flow;
      if (flow) await boundedClose('flow producer', () => flow.close(), () => flow.disconnect());
    })();
    return this.closing;
  }
}

const CLOSE_TIMEOUT_MS = 5000;
const log = createLogger({ component: 'jobs' });

/** `close()`, or after CLOSE_TIMEOUT_MS `disconnect()` (never waits forever on an unreachable Redis). */
async function boundedClose(what: string, close: () => Promise<void>, disconnect: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), CLOSE_TIMEOUT_MS)));
  const result = await Promise.race([close().then(() => 'closed' as const, () => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    log.warn({ what }, `close did not finish within ${CLOSE_TIMEOUT_MS} ms (Redis unreachable or reconnecting); dropping its connections`);
    // disconnect() can wait on the same connection (bullmq#4656): bounded too, never awaited past 1 s.
    await Promise.race([disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
