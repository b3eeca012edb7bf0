import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RecbotError } from '../common/errors';
import { loadConfig, type AppConfig } from '../config/config.schema';
import { JobRepository } from '../jobs/job.repository';
import { JobsAdmin, type FailedJobInfo } from '../jobs/jobs-admin';
import { QueueName } from '../jobs/job.types';

/**
 * The Redis the service uses: REDIS_URL, else the embedded redis-server of WORK_DIR while it runs
 * (it records its port in `$WORK_DIR/redis/recbot-redis.json`).
 */
export function adminRedisUrl(config: AppConfig): string {
  if (config.REDIS_URL) return config.REDIS_URL;
  const file = path.resolve(config.WORK_DIR, 'redis', 'recbot-redis.json');
  let port: unknown;
  try {
    port = (JSON.parse(readFileSync(file, 'utf8')) as { port?: unknown }).port;
  } catch {
    port = undefined;
  }
  if (typeof port !== 'number') {
    throw new RecbotError('REDIS_UNKNOWN', `REDIS_URL is unset and no embedded redis-server is running for WORK_DIR (${file} missing)`);
  }
  return `redis://127.0.0.1:${port}`;
}

function parseQueue(name: string | undefined): QueueName {
  const queues = Object.values(QueueName) as string[];
  if (!name || !queues.includes(name)) throw new RecbotError('BAD_ARGS', `queue must be one of ${queues.join(', ')}`);
  return name as QueueName;
}

/** One line per failed job (tab separated): queue, id, name, attempts, failed at, reason. */
export function formatFailed(jobs: readonly FailedJobInfo[]): string {
  if (jobs.length === 0) return 'no failed jobs\n';
  const rows = jobs.map((j) =>
    [j.queue, j.id, j.name, `attempts=${j.attemptsMade}`, j.finishedOn ? new Date(j.finishedOn).toISOString() : '-', j.failedReason.replace(/\s+/g, ' ').slice(0, 200)].join('\t'),
  );
  return `${['queue', 'id', 'name', 'attempts', 'failed at', 'reason'].join('\t')}\n${rows.join('\n')}\n`;
}

/** `recbot jobs list | retry <queue> <id> | retry-all [--queue Q]`: failed jobs of the post-call flow and calls. */
/** `recbot jobs` (usage and help text: src/cli/commands.ts). */
export async function runJobsCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { queue: { type: 'string' }, json: { type: 'boolean', default: false }, prefix: { type: 'string' } },
  });
  const [sub = 'list', ...rest] = positionals;
  const config = loadConfig(env);
  const queues = values.queue ? [parseQueue(values.queue)] : Object.values(QueueName);
  const repo = new JobRepository({ redisUrl: adminRedisUrl(config), prefix: values.prefix });
  const admin = new JobsAdmin(repo);
  const out = (s: string) => process.stdout.write(s);
  try {
    switch (sub) {
      case 'list': {
        const failed = await admin.listFailed(queues);
        out(values.json ? `${JSON.stringify(failed, null, 1)}\n` : formatFailed(failed));
        return 0;
      }
      case 'retry': {
        const [q, id] = rest;
        if (!id) throw new RecbotError('BAD_ARGS', 'usage: recbot jobs retry <queue> <id>');
        const ok = await admin.retry(parseQueue(q), id);
        out(ok ? `retrying ${q}/${id}\n` : `no failed job ${q}/${id}\n`);
        return ok ? 0 : 1;
      }
      case 'retry-all': {
        const n = await admin.retryAllFailed(queues);
        out(`retrying ${n} failed job${n === 1 ? '' : 's'}\n`);
        return 0;
      }
      default:
        throw new RecbotError('BAD_ARGS', `unknown subcommand '${sub}' (list, retry, retry-all)`);
    }
  } finally {
    await repo.close();
  }
}
