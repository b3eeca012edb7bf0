import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../common/metrics';

const httpRequests = new Counter({
  name: 'recbot_http_requests_total',
  help: 'HTTP requests by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

const httpDuration = new Histogram({
  name: 'recbot_http_request_duration_seconds',
  help: 'HTTP request duration by method and route pattern (until the response is finished)',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [metricsRegistry],
});

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route label is the matched pattern (`/v1/recordings/:id`), never the raw path, so hostile or
 * random paths cannot explode the series count: unmatched requests are all `unmatched`.
 */
export function routeLabel(req: Pick<Request, 'route' | 'baseUrl'>): string {
  const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` : 'unmatched';
}

/** Count and time every HTTP request (installed first, so refused and unauthenticated ones count too). */
export function applyHttpMetrics(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const t0 = process.hrtime.bigint();
    res.once('finish', () => {
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      const route = routeLabel(req);
      httpRequests.inc({ method, route, status: String(res.statusCode) });
      httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - t0) / 1e9);
    });
    next();
  });
}
