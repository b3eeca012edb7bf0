import type { JobRepository } from './job.repository';
import { QueueName } from './job.types';

/** A failed job as `recbot jobs` shows it. */
export interface FailedJobInfo {
  queue: QueueName;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  finishedOn?: number;
  data: unknown;
}

/** Operator view of the queues: list failed jobs and retry them (`recbot jobs`). */
export class JobsAdmin {
  constructor(private readonly jobs: JobRepository) {}

  /** Failed jobs, newest first, across `queues` (default: all). */
  async listFailed(queues: readonly QueueName[] = Object.values(QueueName), limit = 100): Promise<FailedJobInfo[]> {
    const out: FailedJobInfo[] = [];
    for (const queue of queues) {
      const failed = await this.jobs.queue(queue).getFailed(0, limit - 1);
      for (const j of failed) {
        out.push({
          queue,
          id: j.id ?? '',
          name: j.name,
          failedReason: j.failedReason,
          attemptsMade: j.attemptsMade,
          finishedOn: j.finishedOn,
          data: j.data,
        });
      }
    }
    return out.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0)).slice(0, limit);
  }

  /** Retry one failed job; false if it is not found or not failed. */
  async retry(queue: QueueName, id: string): Promise<boolean> {
    const job = await this.jobs.queue(queue).getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  /** Retry every failed job of `queues`; returns how many. */
  async retryAllFailed(queues: readonly QueueName[] = Object.values(QueueName)): Promise<number> {
    let n = 0;
    for (const f of await this.listFailed(queues, 10_000)) if (await this.retry(f.queue, f.id)) n++;
    return n;
  }
}
