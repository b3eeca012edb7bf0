import { parseArgs } from 'node:util';
import { RecbotError } from '../common/errors';
import { loadConfig } from '../config/config.schema';
import { buildLifecycleRules } from '../storage/lifecycle-rules';
import { createStorageDriver, lifecyclePolicyFromConfig } from '../storage/storage.factory';

/** `recbot storage apply-lifecycle`: merge recbot's lifecycle rules into the bucket (idempotent). */
/** `recbot storage` (usage and help text: src/cli/commands.ts). */
export async function runStorageCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [sub] = positionals;
  if (sub !== 'apply-lifecycle') throw new RecbotError('BAD_ARGS', `usage: recbot storage apply-lifecycle (got '${sub ?? ''}')`);
  const config = loadConfig(env);
  const storage = createStorageDriver(config);
  try {
    if (storage.name !== 's3' || !storage.applyLifecycle) {
      process.stdout.write(`storage driver ${storage.name}: no lifecycle rules to apply\n`);
      return 0;
    }
    await storage.applyLifecycle();
    const ids = buildLifecycleRules(lifecyclePolicyFromConfig(config)).map((r) => r.ID);
    process.stdout.write(`lifecycle rules applied to bucket ${config.S3_BUCKET ?? '?'}: ${ids.join(', ')}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
