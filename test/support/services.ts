/**
 * Shared helpers for tests that run real services: free ports, spawning with logs kept on disk,
 * stopping by pid, waiting for a port. Missing binaries fail loudly (never skip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort as osFreePort, resolveBinary } from '../../src/infra/redis-process';

export { resolveBinary };

/** Where service logs go; kept after the run so failures can be inspected. */
export const LOG_ROOT = path.join(os.tmpdir(), 'recbot-test-logs');

/** A free TCP port on 127.0.0.1 (picked by the OS). */
export function freePort(): Promise<number> {
  return osFreePort();
}

/** `n` consecutive ports in [lo, hi) that are free right now (for daemons that take a port range). */
export async function freePortRange(n: number, lo = 20000, hi = 40000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = lo + Math.floor(Math.random() * (hi - lo - n));
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await canListen(p);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found in ${lo}-${hi}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Throw a loud error if a required binary is missing (names the installer script). */
export function requireBinary(bin: string): string {
  try {
    return resolveBinary(bin);
  } catch {
    throw new Error(
      `Required binary '${bin}' is missing. Tests never skip real services: run 'bash scripts/install-system-deps.sh'.`,
    );
  }
}

/** A spawned service. `stop()` is idempotent (SIGTERM, then SIGKILL after the grace time). */
export interface ServiceHandle {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process exits. */
  exited: Promise<number | string | null>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last `lines` lines of the log. */
  tail(lines?: number): string;
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnServiceOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Default: LOG_ROOT/<name>-<time>.log */
  logFile?: string;
}

/** Spawn `cmd args` with stdout+stderr appended to a log file. Missing binary -> loud error. */
export function spawnService(name: string, cmd: string, args: string[], opts: SpawnServiceOptions = {}): ServiceHandle {
  const bin = requireBinary(cmd);
  mkdirSync(LOG_ROOT, { recursive: true });
  const logFile = opts.logFile ?? path.join(LOG_ROOT, `${name}-${Date.now()}-${process.pid}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exitValue: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitValue = code ?? signal;
      resolve(exitValue);
    });
    child.once('error', (err) => {
      exitValue = `spawn error: ${err.message}`;
      resolve(exitValue);
    });
  });
  let stopping: Promise<void> | undefined;
  const handle: ServiceHandle = {
    name,
    pid: child.pid ?? -1,
    logFile,
    exited,
    hasExited: () => exitValue !== undefined,
    tail: (lines = 40) => tailFile(logFile, lines),
    stop: (graceMs = 5000) =>
      (stopping ??= (async () => {
        if (exitValue !== undefined) return;
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      })()),
  };
  return handle;
}

/** The last `lines` lines of a file ('' if unreadable). */
export function tailFile(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

/** Kill a process by pid: SIGTERM, then SIGKILL after graceMs. Resolves when it is gone. */
export async function killPid(pid: number, graceMs = 3000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 40 && isAlive(pid); i++) await sleep(50);
}

/** True if a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/**
 * Wait until something accepts TCP connections on 127.0.0.1:port. If `service` is given and exits
 * first, or on timeout, throws with the service's log tail.
 */
export async function waitForPort(port: number, timeoutMs: number, service?: ServiceHandle): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service?.hasExited()) {
      throw new Error(`${service.name} exited before listening on ${port}; log ${service.logFile}:\n${service.tail()}`);
    }
    if (await canConnect(port)) return;
    await sleep(100);
  }
  const where = service ? `; log ${service.logFile}:\n${service.tail()}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for 127.0.0.1:${port}${where}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => finish(false), 1000);
    const finish = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Run a command to completion; rejects with its output on non-zero exit or timeout. */
export function runCommand(cmd: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<string> {
  const bin = requireBinary(cmd);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${out.slice(-3000)}`));
    });
  });
}
