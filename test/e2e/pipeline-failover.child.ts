/**
 * A recorder process for pipeline-failover.test.ts: runs startService with the env it was given
 * (APP_ROLE=recorder), prints `READY <url>` when listening, exits on SIGTERM after a graceful close.
 */
import 'reflect-metadata';
import { startService } from '../../src/app/bootstrap';

startService(process.env).then(
  (svc) => {
    process.stdout.write(`READY ${svc.url}\n`);
    process.once('SIGTERM', () => void svc.close().then(() => process.exit(0)));
  },
  (err: unknown) => {
    process.stderr.write(`recorder child failed: ${String(err)}\n`);
    process.exit(1);
  },
);
