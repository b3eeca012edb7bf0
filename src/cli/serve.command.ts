import { startService } from '../app/bootstrap';
import type { CliCommand } from './commands';

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

export const serveCommand: CliCommand = {
  summary: 'run the service for APP_ROLE (api|recorder|worker|all)',
  usage: 'serve',
  async run(_args, env) {
    const svc = await startService(env);
    process.stdout.write(`recbot ${svc.config.APP_ROLE} listening on ${svc.url} (health: ${svc.url}/healthz, metrics: ${svc.url}/metrics)\n`);
    onShutdownSignal(() => svc.close());
    return -1;
  },
};
