import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A running coturn on loopback. */
export interface Coturn {
  /** e.g. `turn:127.0.0.1:P?transport=udp`. */
  udpUrl: string;
  /** e.g. `turn:127.0.0.1:P?transport=tcp`. */
  tcpUrl: string;
  /** e.g. `turns:127.0.0.1:T?transport=tcp` (self-signed certificate). */
  tlsUrl: string;
  username: string;
  credential: string;
  port: number;
  tlsPort: number;
  /** Kills coturn and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}

/** A port free for both TCP and UDP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer().once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free TCP+UDP port');
}

async function waitTcp(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`turnserver exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`turnserver not listening on ${port} after ${timeoutMs} ms`);
}

/**
 * Starts coturn (`turnserver`) on free loopback ports: UDP+TCP listener, a TLS listener with a
 * self-signed certificate, one static long-term-credential user, loopback peers allowed.
 */
export async function startCoturn(opts: { username?: string; credential?: string } = {}): Promise<Coturn> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'recbot-coturn-'));
  const username = opts.username ?? 'recbot';
  const credential = opts.credential ?? 'recbot-secret';
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await execFileP('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost']);
  const port = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === port) tlsPort = await freePort();
  // relay ports: a random block, so parallel test runs rarely collide (coturn skips busy ports)
  const minPort = 40000 + Math.floor(Math.random() * 190) * 100;
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, `--tls-listening-port=${tlsPort}`,
    '--alt-listening-port=0', '--alt-tls-listening-port=0', `--min-port=${minPort}`, `--max-port=${minPort + 99}`,
    `--cert=${cert}`, `--pkey=${key}`, '--lt-cred-mech', `--user=${username}:${credential}`, '--realm=recbot.test',
    '--allow-loopback-peers', '--no-cli', '--no-dtls', '--fingerprint', '--no-software-attribute',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`, '--log-file=stdout', '--simple-log',
  ];
  const proc = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (b: Buffer): void => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    await waitTcp(port, proc, 10_000);
    await waitTcp(tlsPort, proc, 10_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.join('').slice(-2000)}`);
  }
  return {
    udpUrl: `turn:127.0.0.1:${port}?transport=udp`,
    tcpUrl: `turn:127.0.0.1:${port}?transport=tcp`,
    tlsUrl: `turns:127.0.0.1:${tlsPort}?transport=tcp`,
    username,
    credential,
    port,
    tlsPort,
    stop,
  };
}
