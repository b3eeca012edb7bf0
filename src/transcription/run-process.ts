import { spawn } from 'node:child_process';
import { MissingBinaryError, RecbotError } from '../common/errors';

/** Result of a finished child process. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a binary to completion, collecting output (stderr tail kept to `maxStderrBytes`). Kills it
 * (SIGKILL) after `timeoutMs` or on `signal` abort. Never goes through a shell.
 */
export function runProcess(
  bin: string,
  args: string[],
  opts: { timeoutMs?: number; signal?: AbortSignal; maxStderrBytes?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const maxErr = opts.maxStderrBytes ?? 1_000_000;
    let killedFor: string | undefined;
    const kill = (why: string): void => {
      killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = opts.timeoutMs ? setTimeout(() => kill(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs) : undefined;
    const onAbort = (): void => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      if (err.length > maxErr) err = err.slice(err.length - maxErr);
    });
    const done = (): void => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(e.code === 'ENOENT' ? new MissingBinaryError(bin) : e);
    });
    child.on('close', (code) => {
      done();
      if (killedFor) {
        reject(new RecbotError('PROCESS_KILLED', `${bin} ${killedFor}`, { retryable: true }));
        return;
      }
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}
