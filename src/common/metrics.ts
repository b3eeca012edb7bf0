import { AggregatorRegistry, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/**
 * The process-wide Prometheus registry. Every recbot series uses the `recbot_` prefix, snake_case
 * with units, and low-cardinality labels only (never recording or participant ids).
 */
export const metricsRegistry = new Registry();
let defaultsOn = false;

/** Start collecting prom-client's default process metrics (idempotent). */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** A registry's series as JSON (what a call process sends its parent). */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * recbot_ series of the per-call child processes, merged into the parent's /metrics. Each live child
 * sends its snapshot every few seconds; an exited child's last snapshot is folded into `retired`,
 * so its counters stay in the totals (counters never go backwards when a call ends).
 */
export class ChildMetrics {
  private readonly live = new Map<string, MetricsSnapshot>();
  private retired: MetricsSnapshot = [];
  private readonly gone = new Set<string>();

  update(childId: string, snapshot: MetricsSnapshot): void {
    if (this.gone.has(childId)) return;
    this.live.set(childId, snapshot.filter((m) => m.name.startsWith('recbot_')));
  }

  /** The child exited: keep its counters and histograms, drop its gauges. */
  async retire(childId: string): Promise<void> {
    const last = this.live.get(childId);
    this.live.delete(childId);
    this.gone.add(childId);
    if (this.gone.size > 10_000) this.gone.clear();
    if (!last) return;
    const keep = last.filter((m) => String(m.type) !== 'gauge');
    this.retired = await AggregatorRegistry.aggregate([this.retired, keep]).getMetricsAsJSON() as MetricsSnapshot;
  }

  /** The parent's own series plus every child's, summed per name and label set, as exposition text. */
  async render(parent: Registry): Promise<string> {
    const own = (await parent.getMetricsAsJSON()) as MetricsSnapshot;
    if (this.live.size === 0 && this.retired.length === 0) return parent.metrics();
    return AggregatorRegistry.aggregate([own, this.retired, ...this.live.values()]).metrics();
  }
}

/** The process-wide merge point for call-process metrics (used by the recorder and /metrics). */
export const childMetrics = new ChildMetrics();
