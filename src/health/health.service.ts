import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS_URL, STORAGE } from '../app/tokens';
import { errorMessage } from '../common/errors';
import type { StorageDriver } from '../storage/storage.types';

/** One check's result: `ok: false` on a `ready` check makes /readyz answer 503. */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}
export type HealthCheck = () => CheckResult | Promise<CheckResult>;
/** `ready`: gates /readyz. `info`: reported by /readyz but never fails it (e.g. recorder capacity). */
export type CheckKind = 'ready' | 'info';

/** A check that does not answer within this time has failed (probes time out at a few seconds). */
const CHECK_TIMEOUT_MS = 1500;
/** Storage is probed at most this often (one HEAD per interval, not one per probe). */
const STORAGE_PROBE_INTERVAL_MS = 5000;

/**
 * Health of this process. Liveness (/livez) is only "the event loop answers". Readiness (/readyz)
 * runs every registered check: Redis answers PING, storage answers a HEAD, the recorder's disk is
 * above DISK_MIN_FREE_MB, the process is not draining. Feature modules register their own checks.
 */
@Injectable()
export class HealthService implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly checks = new Map<string, { check: HealthCheck; kind: CheckKind }>();
  private readonly redis: Redis;
  private draining = false;
  private storageProbe?: { at: number; result: Promise<CheckResult> };

  constructor(@Inject(REDIS_URL) redisUrl: string, @Inject(STORAGE) private readonly storage: StorageDriver) {
    // No offline queue and no retries: a PING while Redis is gone fails at once instead of waiting.
    this.redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 500 });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
    this.register('redis', () => this.pingRedis());
    this.register('storage', () => this.probeStorage());
    this.register('draining', () => ({ ok: !this.draining, detail: this.draining ? 'shutting down' : undefined }));
  }

  register(name: string, check: HealthCheck, kind: CheckKind = 'ready'): void {
    this.checks.set(name, { check, kind });
  }

  /** Stop reporting ready (SIGTERM): load balancers stop routing before the process drains. */
  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  /** Every check, run concurrently, each bounded by CHECK_TIMEOUT_MS. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const entries = [...this.checks];
    const results = await Promise.all(entries.map(([, c]) => runCheck(c.check)));
    const checks: Record<string, CheckResult> = {};
    let ready = true;
    entries.forEach(([name, c], i) => {
      const r = results[i] ?? { ok: false };
      checks[name] = r;
      if (c.kind === 'ready' && !r.ok) ready = false;
    });
    return { ready, checks };
  }

  /** The checks' results (kept for /healthz callers). */
  async report(): Promise<Record<string, CheckResult>> {
    return (await this.readiness()).checks;
  }

  private async pingRedis(): Promise<CheckResult> {
    if (this.redis.status !== 'ready') return { ok: false, detail: `redis ${this.redis.status}` };
    const reply = await this.redis.ping();
    return { ok: reply === 'PONG' };
  }

  private probeStorage(): Promise<CheckResult> {
    const now = Date.now();
    if (!this.storageProbe || now - this.storageProbe.at > STORAGE_PROBE_INTERVAL_MS) {
      const result = this.storage.head('.recbot-readyz').then(
        () => ({ ok: true, detail: this.storage.name }),
        (err: unknown) => ({ ok: false, detail: `${this.storage.name}: ${errorMessage(err)}` }),
      );
      this.storageProbe = { at: now, result };
    }
    return this.storageProbe.result;
  }
}

async function runCheck(check: HealthCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (err) {
    return { ok: false, detail: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}
