import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { AppConfig } from '../config/config.schema';
import { HealthController } from '../health/health.controller';
import { HealthService } from '../health/health.service';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { DEFAULT_RETRY, webhookRetryPolicy } from '../jobs/job-options';
import { QueueName } from '../jobs/job.types';
import { JOB_REPOSITORY_OPTIONS, JobRepository, type JobRepositoryOptions } from '../jobs/job.repository';
import { CallControl } from '../recordings/call-control';
import type { StorageDriver } from '../storage/storage.types';
import { APP_CONFIG, REDIS_URL, STORAGE } from './tokens';

/** Values resolved before Nest starts (config, the Redis URL of the embedded or external server). */
export interface BootContext {
  config: AppConfig;
  redisUrl: string;
  storage: StorageDriver;
  /** BullMQ key prefix (tests isolate themselves with their own). */
  queuePrefix?: string;
}

/** Feature modules selected by APP_ROLE; filled in by role (see roleModules). */
export type RoleModules = Record<'api' | 'recorder' | 'worker', Array<Type<unknown> | DynamicModule>>;

@Module({})
export class AppModule {
  /** Build the root module for the configured role; `all` loads every feature module. */
  static forRoot(ctx: BootContext, roles: RoleModules): DynamicModule {
    const role = ctx.config.APP_ROLE;
    const imports: Array<Type<unknown> | DynamicModule> = [];
    for (const r of ['api', 'recorder', 'worker'] as const) {
      if (role === 'all' || role === r) imports.push(...roles[r]);
    }
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: ctx.config },
      { provide: REDIS_URL, useValue: ctx.redisUrl },
      { provide: STORAGE, useValue: ctx.storage },
      {
        provide: JOB_REPOSITORY_OPTIONS,
        useValue: {
          redisUrl: ctx.redisUrl,
          prefix: ctx.queuePrefix,
          retry: { ...DEFAULT_RETRY, [QueueName.Webhooks]: webhookRetryPolicy(ctx.config.WEBHOOK_RETRY_HOURS) },
        } satisfies JobRepositoryOptions,
      },
      JobRepository,
      { provide: JobHandlerRegistry, useValue: new JobHandlerRegistry() },
      CallControl,
      HealthService,
    ];
    return {
      module: AppModule,
      global: true,
      imports,
      controllers: [HealthController],
      providers,
      exports: [APP_CONFIG, REDIS_URL, STORAGE, JobRepository, JobHandlerRegistry, CallControl, HealthService],
    };
  }
}
