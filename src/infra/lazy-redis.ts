import { Redis } from 'ioredis';

/**
 * One ioredis client opened at first use and closed politely: QUIT with a 1 s cap, then disconnect
 * (never waits on a Redis that is gone). For the API's small Redis users (list index, request guards).
 */
export class LazyRedis {
  private redis?: Redis;

  constructor(private readonly url: string) {}

  client(): Redis {
    this.redis ??= new Redis(this.url, { maxRetriesPerRequest: 3 });
    return this.redis;
  }

  async close(): Promise<void> {
    const r = this.redis;
    this.redis = undefined;
    if (!r) return;
    await Promise.race([r.quit().catch(() => undefined), new Promise((ok) => setTimeout(ok, 1000).unref())]);
    r.disconnect();
  }
}
