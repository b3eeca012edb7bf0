import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findBinary } from '../common/binaries';
import { MissingBinaryError, RecbotError } from '../common/errors';

/** A running redis-server child process. `stop()` is idempotent. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Binary name or path (default `redis-server`). */
  bin?: string;
  /** Working directory for the RDB/AOF files; created if missing. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** `aof` (appendonly yes, fsync every second) keeps queued jobs over a restart; `none` is for tests. */
  persistence?: 'none' | 'aof';
  /** How long to wait for PING to answer (default 10 s). */
  startTimeoutMs?: number;
  /** Called with each chunk of redis-server's stdout/stderr (e.g. a logger). */
  onOutput?: (line: string) => void;
  /**
   * Stop redis-server when this process dies without calling stop() (SIGKILL, OOM): a small detached
   * shell polls our pid. Default true.
   */
  stopWithParent?: boolean;
}

/** Written in dataDir so a restart can stop a redis-server orphaned by a killed predecessor. */
const OWNER_FILE = 'recbot-redis.json';

/**
 * Resolve a binary name against PATH (or check an explicit path). Throws MissingBinaryError naming
 * the install script when it is not there.
 */
export function resolveBinary(bin: string, envPath?: string): string {
  const found = findBinary(bin, envPath);
  if (!found) throw new MissingBinaryError(bin);
  return found;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Send one PING over raw RESP; resolves true on `+PONG`. */
export function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    sock.once('error', () => done(false));
  });
}

/** Build redis-server's argument list (pure). */
export function redisServerArgs(opts: { port: number; dataDir: string; persistence: 'none' | 'aof' }): string[] {
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--save', '', '--dir', opts.dataDir];
  if (opts.persistence === 'aof') args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');
  // Protected mode is irrelevant on loopback; no daemonize so the pid is ours.
  args.push('--daemonize', 'no', '--loglevel', 'warning');
  return args;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a redis-server bound to 127.0.0.1 and wait until PING answers. Used by the service for its
 * embedded Redis (when REDIS_URL is unset) and by tests. Throws MissingBinaryError when absent.
 */
export async function startRedisServer(opts: StartRedisOptions): Promise<RedisServerHandle> {
  const bin = resolveBinary(opts.bin ?? 'redis-server');
  mkdirSync(opts.dataDir, { recursive: true });
  await stopOrphan(opts.dataDir);
  const attempts = opts.port === undefined ? 3 : 1;
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnce(bin, port, opts);
    } catch (err) {
      lastErr = err; // port race with another process: pick another port
    }
  }
  throw lastErr;
}

async function startOnce(bin: string, port: number, opts: StartRedisOptions): Promise<RedisServerHandle> {
  const args = redisServerArgs({ port, dataDir: opts.dataDir, persistence: opts.persistence ?? 'none' });
  const child = spawn(bin, args, { cwd: opts.dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer) => {
    const s = d.toString('utf8');
    output = (output + s).slice(-4000);
    opts.onOutput?.(s);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  child.once('error', () => undefined);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (exitCode !== undefined) break;
    if (await pingRedis(port, 500)) {
      const ownerFile = path.join(opts.dataDir, OWNER_FILE);
      writeFileSync(ownerFile, JSON.stringify({ pid: child.pid, port }));
      if (opts.stopWithParent !== false && child.pid) watchParent(child.pid);
      return makeHandle(child, port, exited, ownerFile);
    }
    await sleep(50);
  }
  await killChild(child, exited, 2000);
  throw new RecbotError('REDIS_START_FAILED', `redis-server on port ${port} did not answer PING: ${output.trim()}`, {
    retryable: true,
  });
}

function makeHandle(child: ChildProcess, port: number, exited: Promise<number | null>, ownerFile: string): RedisServerHandle {
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    stop: () => (stopping ??= killChild(child, exited, 5000).then(() => rmSync(ownerFile, { force: true }))),
  };
}

/** A detached shell that SIGTERMs `pid` once this process is gone; it exits with the child too. */
function watchParent(pid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${pid} 2>/dev/null || exit 0; sleep 2; done; kill ${pid} 2>/dev/null`;
  const w = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  w.on('error', () => undefined);
  w.unref();
}

/**
 * If a previous run left a redis-server on this dataDir (we were SIGKILLed), stop it before
 * starting: two servers appending to one AOF would corrupt it. Verified by pid, executable name
 * and PING on the recorded port, so an unrelated process that reused the pid is never touched.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const file = path.join(dataDir, OWNER_FILE);
  let rec: unknown;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  const { pid, port } = (rec ?? {}) as { pid?: unknown; port?: unknown };
  if (typeof pid !== 'number' || typeof port !== 'number') return;
  let comm = '';
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); // Debian's binary is redis-check-rdb, comm is redis-server
  } catch {
    // gone (or not Linux)
  }
  if (comm.startsWith('redis-server') && (await pingRedis(port, 500))) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && existsSync(`/proc/${pid}`); i++) await sleep(50);
  }
  rmSync(file, { force: true });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
async function killChild(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
