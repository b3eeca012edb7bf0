import { RecbotError } from '../common/errors';
import { JOB_QUEUE, JobName, type JobHandler, type QueueName } from './job.types';

/**
 * Job name -> handler. Feature modules register their handlers at boot; `assertComplete` fails
 * start-up when a job that a consumed queue carries has no handler (immich's rule).
 */
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();

  /** Register the handler of `name`; registering twice is a programming error. */
  register<N extends JobName>(name: N, handler: JobHandler<N>): this {
    if (this.handlers.has(name)) throw new RecbotError('JOB_HANDLER_DUPLICATE', `Handler for ${name} registered twice`);
    this.handlers.set(name, handler as unknown as JobHandler<JobName>);
    return this;
  }

  get(name: string): JobHandler<JobName> | undefined {
    return this.handlers.get(name as JobName);
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
