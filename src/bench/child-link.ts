import { fork, type ChildProcess } from 'node:child_process';
import { isTyped } from './bench-ipc';

/**
 * A forked child process with typed request/reply over IPC: `next(type)` resolves with the next
 * message of that type (or rejects on timeout, an 'error' message, or exit). close() kills it.
 */
export class ChildLink<In extends { type: string }, Out extends { type: string }> {
  readonly proc: ChildProcess;
  private readonly inbox: Out[] = [];
  private readonly waiters: { type: string; resolve: (m: Out) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | undefined;

  constructor(script: string, arg: unknown, execArgv: string[] = []) {
    this.proc = fork(script, [JSON.stringify(arg)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: unknown) => {
      if (!isTyped(m)) return;
      const msg = m as Out;
      if (msg.type === 'error') {
        const err = new Error(`child ${script}: ${String((m as { message?: unknown }).message)}`);
        for (const w of this.waiters.splice(0)) w.reject(err);
        return;
      }
      const i = this.waiters.findIndex((w) => w.type === msg.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(msg);
      else this.inbox.push(msg);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = new Error(`child ${script} exited (${code ?? signal})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  send(m: In): void {
    if (!this.exited) this.proc.send(m);
  }

  /** The next message of `type` within `timeoutMs`. */
  next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Extract<Out, { type: T }>);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const j = this.waiters.indexOf(w);
        if (j >= 0) this.waiters.splice(j, 1);
        reject(new Error(`timeout waiting for '${type}' from child`));
      }, timeoutMs);
      const w = {
        type,
        resolve: (m: Out) => {
          clearTimeout(timer);
          resolve(m as Extract<Out, { type: T }>);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(w);
    });
  }

  /** Ask and wait for the reply of the same type (late replies to earlier requests are dropped). */
  request<T extends In['type'] & Out['type']>(m: In & { type: T }, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    for (let i = this.inbox.length - 1; i >= 0; i--) if (this.inbox[i]?.type === m.type) this.inbox.splice(i, 1);
    const p = this.next(m.type as T, timeoutMs);
    this.send(m);
    return p;
  }

  /** Wait up to `graceMs` for a clean exit, then SIGKILL. Idempotent. */
  async close(graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
      this.proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
