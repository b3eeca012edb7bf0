import { startService } from '../app/bootstrap';
import { RecbotError } from '../common/errors';

/** Wait for SIGINT/SIGTERM, then run `close` once (graceful drain). */
export function onShutdownSignal(close: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`recbot: ${sig} received, draining...\n`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`recbot: shutdown error: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

/** `recbot serve` (usage and help text: src/cli/commands.ts). */
export async function runServeCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  if (args.length > 0) throw new RecbotError('BAD_ARGS', `serve takes no arguments (got '${args.join(' ')}'); configuration is environment variables`);
  const svc = await startService(env);
  process.stdout.write(`recbot ${svc.config.APP_ROLE} listening on ${svc.url} (liveness: ${svc.url}/livez, readiness: ${svc.url}/readyz, metrics: ${svc.url}/metrics)\n`);
  onShutdownSignal(() => svc.close());
  return -1;
}
