import { Counter } from 'prom-client';
import { metricsRegistry } from '../common/metrics';

/** Delivery attempts by event type and outcome (ok, retryable, failed). */
export const webhookDeliveries = new Counter({
  name: 'recbot_webhook_deliveries_total',
  help: 'Webhook delivery attempts by event and outcome (ok, retryable, failed)',
  labelNames: ['event', 'outcome'] as const,
  registers: [metricsRegistry],
});
