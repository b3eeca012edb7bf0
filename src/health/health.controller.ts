import { Controller, Get, Header, Inject } from '@nestjs/common';
import { metricsRegistry } from '../common/metrics';
import { APP_CONFIG } from '../app/tokens';
import type { AppConfig } from '../config/config.schema';
import { HealthService } from './health.service';

/** Liveness/readiness and Prometheus metrics; served by every role. */
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthService,
  ) {}

  @Get('healthz')
  healthz(): Record<string, unknown> {
    return { status: 'ok', role: this.config.APP_ROLE, uptimeS: Math.round(process.uptime()), checks: this.health.report() };
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
