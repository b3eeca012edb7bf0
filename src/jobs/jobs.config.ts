import { envInt } from '../config/env-types';

/** BullMQ worker settings (owned by the jobs feature). */
export const jobsConfigShape = {
  /**
   * How long a worker's lock on an active job lasts; it is renewed every half of it. A job whose
   * worker died (SIGKILL, node lost) stalls once the lock expires, and another worker takes it over.
   */
  JOB_LOCK_DURATION_MS: envInt(30_000, { min: 1000 }),
  /** How often each worker looks for stalled jobs (lock expired) to move back to the queue. */
  JOB_STALLED_INTERVAL_MS: envInt(30_000, { min: 500 }),
};

/** One line per variable, for config.docs.ts / README (merge together with the shape). */
export const JOBS_CONFIG_DOCS: Record<keyof typeof jobsConfigShape, string> = {
  JOB_LOCK_DURATION_MS:
    'BullMQ job lock (renewed every half of it): after a recorder or worker dies, its jobs stall once the lock expires and another process takes them over',
  JOB_STALLED_INTERVAL_MS: 'How often each worker checks for stalled jobs; takeover after a crash happens within lock + this interval',
};

/** Worker timing taken from the config (JobRepositoryOptions.timing). */
export interface JobTiming {
  lockDurationMs: number;
  stalledIntervalMs: number;
}
