import { RecbotError } from '../common/errors';
import { JOB_QUEUE, JobName, type JobHandler, type JobPayloadMap, type QueueName } from './job.types';

/** Wraps a handler call: call `next()` to run it, or return without (the job then completes). */
export type JobMiddleware = (name: JobName, data: JobPayloadMap[JobName], next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Job name -> handler. Feature modules register their handlers at boot; `assertComplete` fails
 * start-up when a job that a consumed queue carries has no handler (immich's rule).
 */
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();
  private middleware: JobMiddleware | undefined;

  /** Run every handler through `mw` (one at most; e.g. skip jobs of deleted recordings). */
  use(mw: JobMiddleware): this {
    this.middleware = mw;
    return this;
  }

  /** Register the handler of `name`; registering twice is a programming error. */
  register<N extends JobName>(name: N, handler: JobHandler<N>): this {
    if (this.handlers.has(name)) throw new RecbotError('JOB_HANDLER_DUPLICATE', `Handler for ${name} registered twice`);
    this.handlers.set(name, handler as unknown as JobHandler<JobName>);
    return this;
  }

  get(name: string): JobHandler<JobName> | undefined {
    const h = this.handlers.get(name as JobName);
    const mw = this.middleware;
    if (!h || !mw) return h;
    return (data, ctx) => mw(name as JobName, data, () => h(data, ctx));
  }

  /** Job names whose queue is in `queues` and that have no handler. */
  missing(queues: readonly QueueName[]): JobName[] {
    return Object.values(JobName).filter((n) => queues.includes(JOB_QUEUE[n]) && !this.handlers.has(n));
  }

  /** Throw (fail start-up) if any job carried by `queues` has no handler. */
  assertComplete(queues: readonly QueueName[]): void {
    const missing = this.missing(queues);
    if (missing.length > 0) {
      throw new RecbotError('JOB_HANDLER_MISSING', `No handler registered for job(s): ${missing.join(', ')}`);
    }
  }
}
