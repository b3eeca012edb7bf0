/**
 * jest globalSetup (integration + e2e): starts one Ceph RGW per run in the background and points
 * RECBOT_TEST_RGW at its state file; tests call `getRgw()` / `createTestBucket()` which wait for it.
 * Starting in the background lets tests that do not need S3 run meanwhile.
 * RECBOT_TEST_RGW_DISABLE=1 skips it (tests that call getRgw() then fail with that reason).
 */
import path from 'node:path';
import { RGW_BASE_DIR, RGW_STATE_ENV, startRgwWithRetry, writeRgwState, type RgwCluster } from './rgw';

/** Shared with global-teardown (same process). */
export interface RecbotGlobalState {
  __recbotRgw?: Promise<RgwCluster>;
}

export default function globalSetup(): void {
  const g = globalThis as RecbotGlobalState;
  if (g.__recbotRgw) return;
  // The AWS SDK warns once per process that it will need Node >= 22 from 2027; noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stateFile = path.join(RGW_BASE_DIR, `state-${process.pid}.json`);
  writeRgwState(stateFile, { status: 'starting', since: Date.now() });
  process.env[RGW_STATE_ENV] = stateFile;
  if (process.env.RECBOT_TEST_RGW_DISABLE === '1') {
    // For quick local runs of tests that never touch S3; any test that does fails loudly.
    writeRgwState(stateFile, { status: 'failed', error: 'RGW disabled by RECBOT_TEST_RGW_DISABLE=1' });
    return;
  }
  const started = startRgwWithRetry().then(
    (cluster) => {
      const { endpoint, accessKeyId, secretAccessKey, region, dir } = cluster;
      writeRgwState(stateFile, { status: 'ready', info: { endpoint, accessKeyId, secretAccessKey, region, dir } });
      return cluster;
    },
    (err: unknown) => {
      const error = err instanceof Error ? err.message : String(err);
      writeRgwState(stateFile, { status: 'failed', error });
      throw err;
    },
  );
  started.catch(() => undefined); // reported by getRgw() and by globalTeardown
  g.__recbotRgw = started;
}
