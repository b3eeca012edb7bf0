/**
 * A real redis-server per test file: `const redis = await startTestRedis(); ... await redis.stop();`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../../src/infra/redis-process';
import { requireBinary } from './services';

export { startRedisServer, type RedisServerHandle };

/** Start redis-server on a free port with a temp data dir (no persistence); stop() removes the dir. */
export async function startTestRedis(opts: { persistence?: 'none' | 'aof' } = {}): Promise<RedisServerHandle> {
  requireBinary('redis-server');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'recbot-redis-'));
  const h = await startRedisServer({ dataDir, persistence: opts.persistence ?? 'none' });
  let stopping: Promise<void> | undefined;
  return {
    ...h,
    stop: () =>
      (stopping ??= h.stop().then(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}
