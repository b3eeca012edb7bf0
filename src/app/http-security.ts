import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/config.schema';
import { RecbotError } from '../common/errors';
import { sendHttpError } from '../common/http-exception.filter';
import { createLogger } from '../common/logger';
import { metricsRegistry } from '../common/metrics';
import { AuthFailureLimiter, RateLimitedError, apiAuthMode, checkBearer } from './api-auth';

/** Largest JSON body the API parses (after authentication). */
const JSON_LIMIT = '100kb';

const isApiPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

/**
 * HTTP hardening, installed before Nest's routes: no X-Powered-By, CORS only for CORS_ORIGINS,
 * authentication as the first middleware (before any body is parsed), then the JSON body parser.
 * With API_TOKEN, /metrics on the API port needs the token too; with METRICS_PORT it is served
 * there instead (and 404 on the API port).
 */
export function applyHttpSecurity(app: NestExpressApplication, c: AppConfig): void {
  const log = createLogger({ component: 'http-auth' });
  const mode = apiAuthMode(c);
  app.disable('x-powered-by');
  if (c.CORS_ORIGINS.length > 0) {
    app.enableCors({ origin: c.CORS_ORIGINS, methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'idempotency-key'], maxAge: 600 });
  }
  const limiter = new AuthFailureLimiter({ maxFailures: c.API_AUTH_MAX_FAILURES, windowMs: c.API_AUTH_WINDOW_MS });
  const token = c.API_TOKEN;
  const separateMetrics = c.METRICS_PORT >= 0;
  app.use((req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (path === '/metrics' && separateMetrics) return sendHttpError(res, new RecbotError('NOT_FOUND', `metrics are served on METRICS_PORT`));
    const protectedPath = isApiPath(path) || path === '/metrics';
    if (!protectedPath || mode === 'open' || !token || req.method === 'OPTIONS') return next();
    const client = req.socket.remoteAddress ?? 'unknown';
    const wait = limiter.blockedForS(client);
    if (wait > 0) return sendHttpError(res, new RateLimitedError(wait));
    const verdict = checkBearer(req.headers.authorization, token);
    if (verdict === 'ok') return next();
    limiter.fail(client);
    // Never the token or the header: who, where, and why.
    log.warn({ client, method: req.method, path, reason: verdict }, 'authentication failed');
    sendHttpError(res, new RecbotError('UNAUTHORIZED', 'missing or wrong bearer token'));
  });
  app.useBodyParser('json', { limit: JSON_LIMIT });
}

/** The separate metrics listener (METRICS_PORT), on HTTP_HOST; resolves with its URL. */
export async function startMetricsServer(c: AppConfig): Promise<{ url: string; close(): Promise<void> } | undefined> {
  if (c.METRICS_PORT < 0) return undefined;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    metricsRegistry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(c.METRICS_PORT, c.HTTP_HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = c.HTTP_HOST.includes(':') ? `[${c.HTTP_HOST}]` : c.HTTP_HOST;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
