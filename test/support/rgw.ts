/**
 * A real single-node Ceph cluster + RADOS Gateway (S3) for tests: one mon, one memstore OSD, one
 * radosgw, auth none, pool size 1, `rgw lc debug interval = 10` (a lifecycle "day" is 10 s), object
 * lock available. Ports are picked free per cluster (mon, an OSD range of 4, rgw), so concurrent
 * jest runs on one machine do not collide. Each cluster lives in /tmp/recbot-rgw/<id>/ with an
 * `owner.pid`; clusters whose owner died (killed jest run) are cleaned up by the next start.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  freePort,
  freePortRange,
  isAlive,
  killPid,
  runCommand,
  spawnService,
  tailFile,
  waitForPort,
  type ServiceHandle,
} from './services';

/** Where every test cluster lives. */
export const RGW_BASE_DIR = '/tmp/recbot-rgw';

/** Connection info for tests (JSON-serialisable). */
export interface RgwInfo {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The cluster directory (ceph.conf, logs). */
  dir: string;
}

export interface RgwCluster extends RgwInfo {
  /** Stop every daemon and remove the cluster directory (idempotent). */
  stop(): Promise<void>;
  /** Log tails of the daemons, for error messages. */
  logTail(lines?: number): string;
}

const DAEMONS = ['ceph-mon', 'ceph-osd', 'radosgw'];

/** Build ceph.conf for one test cluster (pure). */
export function buildCephConf(o: { fsid: string; dir: string; monPort: number; osdPortMin: number; rgwPort: number }): string {
  const d = o.dir;
  return `[global]
fsid = ${o.fsid}
mon host = v2:127.0.0.1:${o.monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms mon client mode = crc
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = ${o.osdPortMin}
ms bind port max = ${o.osdPortMin + 3}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = ${d}/run
admin socket = ${d}/run/$name.asok
log file = ${d}/log/$name.log
keyring = /dev/null
[mon]
mon data = ${d}/mon/ceph-$id
[osd]
osd data = ${d}/osd/ceph-$id
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw lc debug interval = 10
rgw thread pool size = 32
rgw dns name = localhost
`;
}

/** Kill daemons and remove dirs of clusters whose owning process is gone (a killed jest run). */
export async function cleanupStaleClusters(): Promise<string[]> {
  if (!existsSync(RGW_BASE_DIR)) return [];
  const cleaned: string[] = [];
  for (const id of readdirSync(RGW_BASE_DIR)) {
    const dir = path.join(RGW_BASE_DIR, id);
    const state = /^state-(\d+)\.json$/.exec(id);
    if (state) {
      if (!isAlive(Number(state[1]))) rmSync(dir, { force: true });
      continue;
    }
    const owner = Number(readText(path.join(dir, 'owner.pid')));
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    // No owner file yet: another run may be creating this dir right now; only old ones are stale.
    if (!(owner > 0) && Date.now() - mtimeMs(dir) < 120_000) continue;
    for (const pid of daemonPidsIn(dir)) await killPid(pid, 2000);
    rmSync(dir, { recursive: true, force: true });
    cleaned.push(dir);
  }
  return cleaned;
}

/** Pids of ceph daemons whose command line references `dir` (only ours: matched by our path). */
function daemonPidsIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readText(`/proc/${entry}/cmdline`).split('\0');
    const exe = path.basename(cmdline[0] ?? '');
    if (DAEMONS.includes(exe) && cmdline.some((a) => a.startsWith(dir + '/'))) pids.push(Number(entry));
  }
  return pids;
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * A detached shell that outlives us: once the owning process is gone (a killed jest run) it stops
 * the daemons listed in <dir>/pids and removes the dir. Exits quietly after a normal stop (dir gone).
 */
function startWatchdog(dir: string): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d "$D" ]; do sleep 2; done
[ -d "$D" ] || exit 0
P=$(cat "$D/pids" 2>/dev/null); [ -n "$P" ] && kill $P 2>/dev/null; sleep 3; [ -n "$P" ] && kill -9 $P 2>/dev/null
rm -rf "$D" "${RGW_BASE_DIR}/state-${process.pid}.json"`;
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore', env: { D: dir, PATH: process.env.PATH } });
  child.unref();
}

/**
 * Start a cluster and create an S3 user. Takes ~12 s. On failure every started daemon is stopped
 * and the error carries the daemons' log tails.
 */
export async function startRgw(opts: { readyTimeoutMs?: number } = {}): Promise<RgwCluster> {
  await cleanupStaleClusters();
  const dir = path.join(RGW_BASE_DIR, `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  for (const sub of ['mon/ceph-a', 'osd/ceph-0', 'run', 'log']) mkdirSync(path.join(dir, sub), { recursive: true });
  const conf = path.join(dir, 'ceph.conf');
  const services: ServiceHandle[] = [];
  const logTail = (lines = 30) =>
    [...services.map((s) => `--- ${s.name} (${s.logFile})\n${s.tail(lines)}`),
      ...['mon.a', 'osd.0', 'client.rgw'].map((n) => `--- ${n}.log\n${tailFile(path.join(dir, 'log', `${n}.log`), lines)}`)].join('\n');
  let stopped: Promise<void> | undefined;
  const stop = (keepDir = false) =>
    (stopped ??= (async () => {
      for (const s of [...services].reverse()) await s.stop(3000);
      for (const pid of daemonPidsIn(dir)) await killPid(pid, 2000);
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    })());

  startWatchdog(dir);
  const track = (h: ServiceHandle) => {
    services.push(h);
    appendFileSync(path.join(dir, 'pids'), `${h.pid}\n`);
  };
  try {
    const monPort = await freePort();
    const rgwPort = await freePort();
    const osdPortMin = await freePortRange(4);
    const fsid = randomUUID();
    writeFileSync(conf, buildCephConf({ fsid, dir, monPort, osdPortMin, rgwPort }));
    const cmd = (bin: string, args: string[]) => runCommand(bin, ['-c', conf, ...args], { timeoutMs: 30_000 });
    const svcLog = (n: string) => ({ logFile: path.join(dir, 'log', `${n}.out`) });

    await runCommand('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, path.join(dir, 'monmap')]);
    await cmd('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', path.join(dir, 'monmap')]);
    track(spawnService('ceph-mon', 'ceph-mon', ['-c', conf, '-f', '-i', 'a'], svcLog('ceph-mon')));
    await waitForPort(monPort, 15_000, services[0]);
    await cmd('ceph', ['--connect-timeout', '20', 'osd', 'create']);
    await cmd('ceph-osd', ['-i', '0', '--mkfs']);
    await cmd('ceph', ['--connect-timeout', '20', 'osd', 'crush', 'add', 'osd.0', '1', 'root=default', 'host=localhost']);
    track(spawnService('ceph-osd', 'ceph-osd', ['-c', conf, '-f', '-i', '0'], svcLog('ceph-osd')));
    track(spawnService('radosgw', 'radosgw', ['-c', conf, '-f', '-n', 'client.rgw'], svcLog('radosgw')));
    await waitForPort(rgwPort, opts.readyTimeoutMs ?? 60_000, services[2]);
    for (const s of services) if (s.hasExited()) throw new Error(`${s.name} exited during startup`);

    const accessKeyId = `RECBOT${randomBytes(6).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(20).toString('hex');
    await cmd('radosgw-admin', ['user', 'create', '--uid=recbot-test', '--display-name=recbot test',
      `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]);
    const info: RgwInfo = { endpoint: `http://127.0.0.1:${rgwPort}`, accessKeyId, secretAccessKey, region: 'us-east-1', dir };
    await waitForS3(info, 15_000);
    return { ...info, stop: () => stop(), logTail };
  } catch (err) {
    const tails = logTail();
    await stop(true); // keep the logs; the next run's stale cleanup removes the dir
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`Ceph RGW failed to start (logs in ${dir}/log): ${msg}\n${tails}`);
  }
}

/** Poll an authenticated ListBuckets until the new user's requests succeed. */
async function waitForS3(info: RgwInfo, timeoutMs: number): Promise<void> {
  const client = rgwClient(info);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListBucketsCommand({}));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`S3 not answering for the test user: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    client.destroy();
  }
}

/** startRgw, retried once (a free port can be taken by another process between pick and bind). */
export async function startRgwWithRetry(): Promise<RgwCluster> {
  try {
    return await startRgw();
  } catch (first) {
    const firstLine = (first instanceof Error ? first.message : String(first)).split('\n')[0];
    try {
      return await startRgw();
    } catch (second) {
      const msg = second instanceof Error ? second.message : String(second);
      throw new Error(`${msg}\n(first attempt also failed: ${firstLine})`);
    }
  }
}

// ---- Sharing one cluster per jest run (globalSetup starts it; tests read the state file) ----

/** Env var set by globalSetup: path of the JSON state file. */
export const RGW_STATE_ENV = 'RECBOT_TEST_RGW';

/** Contents of the state file. */
export type RgwState =
  | { status: 'starting'; since: number }
  | { status: 'ready'; info: RgwInfo }
  | { status: 'failed'; error: string };

export function writeRgwState(file: string, state: RgwState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

/**
 * The run's shared RGW (waits while globalSetup is still starting it). Throws loudly if it failed
 * or if globalSetup did not run (tests under test/integration or test/e2e always have it).
 */
export async function getRgw(timeoutMs = 90_000): Promise<RgwInfo> {
  const file = process.env[RGW_STATE_ENV];
  if (!file) throw new Error(`${RGW_STATE_ENV} is unset: run through jest's integration/e2e project (globalSetup starts RGW)`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const raw = readText(file);
    const state = raw ? (JSON.parse(raw) as RgwState) : undefined;
    if (state?.status === 'ready') return state.info;
    if (state?.status === 'failed') throw new Error(state.error);
    if (Date.now() > deadline) throw new Error(`RGW not ready after ${timeoutMs} ms (state file ${file})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An S3 client for the test RGW (path style, checksums only when required). */
export function rgwClient(info: RgwInfo): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A fresh bucket for one test (name: prefix + random suffix, valid S3 name). */
export async function createTestBucket(
  prefix: string,
  opts: { objectLock?: boolean } = {},
): Promise<{ bucket: string; info: RgwInfo; client: S3Client }> {
  const info = await getRgw();
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test';
  const bucket = `${clean}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const client = rgwClient(info);
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: opts.objectLock === true }));
  return { bucket, info, client };
}
