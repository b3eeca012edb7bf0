/**
 * Child process of recorder-kill.test.ts: the whole service (APP_ROLE=all) on the WORK_DIR and
 * REDIS_URL given in the environment; prints `{"url": ...}` once listening, then runs until killed.
 */
import { startService } from '../../src/app/bootstrap';

startService({ ...process.env }).then(
  (svc) => process.stdout.write(`${JSON.stringify({ url: svc.url })}\n`),
  (err: unknown) => {
    process.stderr.write(`service failed to start: ${String(err)}\n`);
    process.exit(1);
  },
);
