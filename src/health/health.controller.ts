import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { childMetrics, metricsRegistry } from '../common/metrics';
import { APP_CONFIG } from '../app/tokens';
import type { AppConfig } from '../config/config.schema';
import { HealthService } from './health.service';

/**
 * Probes and Prometheus metrics; served by every role.
 * - /livez: 200 while the process answers HTTP (liveness: restart only a hung process).
 * - /readyz: 200 when every readiness check passes, else 503 with the failing checks (readiness:
 *   take out of rotation, do not restart). A recorder at capacity stays ready and reports
 *   `acceptingCalls: false` (calls come from the queue, not from HTTP; KEDA scales on the queue).
 * - /healthz: the same as /readyz (kept for existing probes and scripts).
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthService,
  ) {}

  @Get('livez')
  @HttpCode(200)
  livez(): Record<string, unknown> {
    return { status: 'ok', role: this.config.APP_ROLE, uptimeS: Math.round(process.uptime()) };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const { ready, checks } = await this.health.readiness();
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', role: this.config.APP_ROLE, uptimeS: Math.round(process.uptime()), checks };
  }

  @Get('healthz')
  healthz(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    return this.readyz(res);
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return childMetrics.render(metricsRegistry);
  }
}
