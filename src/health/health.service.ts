import { Injectable } from '@nestjs/common';

export type HealthCheck = () => { ok: boolean; detail?: string };

/** Components register named checks; /healthz reports them. */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  report(): Record<string, { ok: boolean; detail?: string }> {
    const out: Record<string, { ok: boolean; detail?: string }> = {};
    for (const [name, check] of this.checks) {
      try {
        out[name] = check();
      } catch (err) {
        out[name] = { ok: false, detail: String(err) };
      }
    }
    return out;
  }
}
