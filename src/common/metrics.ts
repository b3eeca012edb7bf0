import { Registry, collectDefaultMetrics } from 'prom-client';

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
