import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isErrorCode } from '../common/error-codes';
import { RecbotError } from '../common/errors';
import { createLogger } from '../common/logger';
import { childMetrics } from '../common/metrics';
import type { AppConfig } from '../config/config.schema';
import type { CallOutcome, RunHooks } from './call-runner';
import { isFromCallProcess, type ToCallProcess } from './call-ipc';

/** Compiled entry of a call process (absent when running from TypeScript sources, e.g. under jest). */
export const CALL_CHILD_SCRIPT = path.join(__dirname, 'call-child.js');

/** Whether calls run in child processes: RECORDER_PROCESS_MODEL, `auto` = when the compiled entry exists. */
export function useCallProcesses(model: AppConfig['RECORDER_PROCESS_MODEL']): boolean {
  if (model === 'inline') return false;
  if (model === 'child' && !existsSync(CALL_CHILD_SCRIPT)) {
    throw new RecbotError('NO_CALL_PROCESS_ENTRY', `RECORDER_PROCESS_MODEL=child needs ${CALL_CHILD_SCRIPT} (run the compiled build)`);
  }
  return existsSync(CALL_CHILD_SCRIPT);
}

/** How many times a crashed call process is restarted (each restart rejoins as a new part). */
const MAX_RESTARTS = 3;

/**
 * Run one call in a child process; restart it (same recording, next part, journals recovered by
 * the new process) when it crashes; forward stop requests. Resolves with the call's outcome.
 */
export async function runCallProcess(recordingId: string, config: AppConfig, hooks: RunHooks): Promise<CallOutcome> {
  const log = createLogger({ component: 'call-process', recordingId });
  for (let attempt = 0; ; attempt++) {
    const result = await runOnce(recordingId, config, hooks);
    if (result.kind === 'done') return result.outcome;
    if (result.kind === 'error') throw new RecbotError(isErrorCode(result.code) ? result.code : 'CALL_FAILED', result.message, { retryable: result.retryable });
    if (hooks.signal?.aborted || attempt >= MAX_RESTARTS) {
      throw new RecbotError('CALL_PROCESS_CRASHED', `call process crashed (${result.how}) ${attempt + 1} times`, { retryable: true });
    }
    log.error({ how: result.how, attempt: attempt + 1 }, 'call process crashed; restarting it from its journals');
  }
}

type Once =
  | { kind: 'done'; outcome: CallOutcome }
  | { kind: 'error'; code: string; message: string; retryable: boolean }
  | { kind: 'crash'; how: string };

let childSeq = 0;

function runOnce(recordingId: string, config: AppConfig, hooks: RunHooks): Promise<Once> {
  const childId = `call-${++childSeq}`;
  return new Promise((resolve) => {
    const child = fork(CALL_CHILD_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Once | undefined;
    const stop = (): void => {
      if (child.connected) child.send({ type: 'stop', reason: hooks.abortReason?.() ?? 'stopped' } satisfies ToCallProcess);
    };
    hooks.signal?.addEventListener('abort', stop, { once: true });
    child.on('message', (m: unknown) => {
      if (!isFromCallProcess(m)) return;
      if (m.type === 'metrics') childMetrics.update(childId, m.metrics);
      else if (m.type === 'status') hooks.onStatus?.(m.status, { segments: m.segments, uploaded: m.uploaded });
      else if (m.type === 'stored') hooks.onSegmentStored?.(m.key);
      else if (m.type === 'part') hooks.onPart?.(m.part, m.botId);
      else if (m.type === 'done') result = { kind: 'done', outcome: { recordingId, part: m.part, stopReason: m.stopReason, handover: m.handover, manifest: m.manifest } };
      else result = { kind: 'error', code: m.code, message: m.message, retryable: m.retryable };
    });
    child.once('exit', (code, signal) => {
      hooks.signal?.removeEventListener('abort', stop);
      resolve(result ?? { kind: 'crash', how: signal ? `signal ${signal}` : `exit code ${code}` });
    });
    // 'close' comes after the IPC channel is drained ('exit' may precede the last messages).
    child.once('close', () => void childMetrics.retire(childId));
    child.send({ type: 'run', recordingId, config } satisfies ToCallProcess);
    if (hooks.signal?.aborted) stop();
  });
}
