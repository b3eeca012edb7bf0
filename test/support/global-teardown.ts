/** jest globalTeardown: stops the run's RGW; fails the run loudly if it never started. */
import { rmSync } from 'node:fs';
import { RGW_STATE_ENV } from './rgw';
import type { RecbotGlobalState } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as RecbotGlobalState;
  const started = g.__recbotRgw;
  g.__recbotRgw = undefined;
  const stateFile = process.env[RGW_STATE_ENV];
  if (stateFile) rmSync(stateFile, { force: true });
  if (!started) return;
  const cluster = await started; // throws (with log tails) if RGW failed to start
  await cluster.stop();
}
