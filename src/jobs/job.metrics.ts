import { Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../common/metrics';

/** How long a job's handler ran, per job type and outcome. */
export const jobDurationSeconds = new Histogram({
  name: 'recbot_job_duration_seconds',
  help: 'Job handler run time by job type and outcome (completed, failed)',
  labelNames: ['job', 'outcome'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 14_400],
  registers: [metricsRegistry],
});

/** Where queue depths come from at scrape time: the service's job repository (one per process). */
export interface QueueDepthSource {
  /** Job counts per queue and state; rejects or times out when Redis is unreachable. */
  depths(): Promise<Record<string, Record<string, number>>>;
}

let source: QueueDepthSource | undefined;

/** The process's job repository registers itself (the latest one wins)... */
export function setQueueDepthSource(s: QueueDepthSource): void {
  source = s;
}

/** ...and unregisters on close, unless another one has registered since. */
export function clearQueueDepthSource(s: QueueDepthSource): void {
  if (source === s) source = undefined;
}

/** Jobs per queue and state, read from Redis at scrape time (bounded: a Redis outage leaves the series out). */
export const queueJobs = new Gauge({
  name: 'recbot_queue_jobs',
  help: 'Jobs per queue and state (waiting, active, delayed, prioritized, waiting-children, failed, completed), read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    if (!source) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 1000)));
    const depths = await Promise.race([source.depths().catch(() => undefined), timeout]);
    clearTimeout(timer);
    for (const [queue, counts] of Object.entries(depths ?? {})) {
      for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
    }
  },
});
