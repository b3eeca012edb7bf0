import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '../config/config.schema';
import { loadConfig, resolveConfigPaths } from '../config/config.schema';
import { createLogger, initLogger } from '../common/logger';
import { requireAll, type Requirement } from '../common/binaries';
import { errorMessage } from '../common/errors';
import { createStorageDriver } from '../storage/storage.factory';
import { enableDefaultMetrics } from '../common/metrics';
import { startRedisServer } from '../infra/redis-process';
import { AppModule } from './app.module';
import { PinoNestLogger } from './nest-logger';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { roleModules } from './role-modules';
import { apiAuthMode } from './api-auth';
import { applyHttpSecurity, startMetricsServer } from './http-security';
import { applyHttpMetrics } from './http-metrics';

/** A running recbot service (any role). */
export interface RunningService {
  config: AppConfig;
  url: string;
  redisUrl: string;
  app: NestExpressApplication;
  /** The separate metrics listener (METRICS_PORT), if any. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** The offline recogniser's US English model (Debian pocketsphinx-en-us). */
export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** What the configured roles need on this machine at run time: checked at start-up, all at once. */
export function requiredBinaries(config: AppConfig): Requirement[] {
  const reqs: Requirement[] = [];
  if (!config.REDIS_URL) reqs.push({ name: config.REDIS_SERVER_BIN, debianPackage: 'redis-server', why: 'embedded Redis: REDIS_URL is unset' });
  if (config.APP_ROLE !== 'api') {
    reqs.push({ name: config.FFMPEG_BIN, debianPackage: 'ffmpeg', why: 'media' }, { name: config.FFPROBE_BIN, debianPackage: 'ffmpeg', why: 'media' });
  }
  const worker = config.APP_ROLE === 'worker' || config.APP_ROLE === 'all';
  if (worker && !config.OPENAI_API_KEY) {
    const why = 'offline transcription: OPENAI_API_KEY is unset';
    reqs.push({ name: 'pocketsphinx_continuous', debianPackage: 'pocketsphinx', why });
    reqs.push({ name: POCKETSPHINX_MODEL_DIR, debianPackage: 'pocketsphinx-en-us', why, file: true });
  }
  return reqs;
}

/**
 * Validate config, start the embedded Redis when REDIS_URL is unset, then start Nest for APP_ROLE.
 * Throws ConfigError / MissingBinaryError before anything is started.
 */
export async function startService(
  env: Record<string, string | undefined>,
  opts: { overrides?: Partial<AppConfig>; queuePrefix?: string } = {},
): Promise<RunningService> {
  const config: AppConfig = resolveConfigPaths({ ...loadConfig(env), ...opts.overrides }, process.cwd());
  initLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY === undefined ? undefined : config.LOG_PRETTY === 'true' });
  const log = createLogger({ component: 'bootstrap', role: config.APP_ROLE });
  requireAll(requiredBinaries(config));
  apiAuthMode(config); // refuses an unauthenticated API on a non-loopback address before anything starts
  const workDir = resolve(config.WORK_DIR);
  mkdirSync(workDir, { recursive: true });
  if (config.METRICS_ENABLED) enableDefaultMetrics();

  let stopRedis: (() => Promise<void>) | undefined;
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    const dataDir = resolve(workDir, 'redis');
    mkdirSync(dataDir, { recursive: true });
    const redis = await startRedisServer({ bin: config.REDIS_SERVER_BIN, dataDir, persistence: 'aof' });
    redisUrl = redis.url;
    stopRedis = () => redis.stop();
    log.info({ redisUrl, redisPid: redis.pid }, 'embedded redis-server started');
  }

  const storage = createStorageDriver(config);
  if (config.APPLY_LIFECYCLE_ON_START && storage.applyLifecycle) {
    // Not fatal: storage may be briefly unreachable at start; `recbot storage apply-lifecycle` re-applies.
    await storage.applyLifecycle().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'applying lifecycle rules failed'));
  }

  let app: NestExpressApplication;
  let metrics: Awaited<ReturnType<typeof startMetricsServer>>;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, redisUrl, storage, queuePrefix: opts.queuePrefix }, roleModules()), {
      logger: new PinoNestLogger(),
      bufferLogs: false,
      // parsed after authentication (applyHttpSecurity)
      bodyParser: false,
    });
    applyHttpMetrics(app);
    applyHttpSecurity(app, config);
    app.useGlobalFilters(new HttpExceptionFilter());
    app.enableShutdownHooks();
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    metrics = await startMetricsServer(config);
  } catch (err) {
    await storage.close();
    await stopRedis?.();
    throw err;
  }
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : config.HTTP_PORT;
  const url = `http://${config.HTTP_HOST.includes(':') ? `[${config.HTTP_HOST}]` : config.HTTP_HOST}:${port}`;
  log.info({ url }, `recbot listening on ${url}`);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await metrics?.close();
      await app.close();
      await storage.close();
      await stopRedis?.();
    })());
  return { config, url, redisUrl, app, metricsUrl: metrics?.url, close };
}
