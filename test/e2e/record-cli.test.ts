/**
 * The compiled build (tsc -p tsconfig.build.json into a private directory), as users run it:
 * - `recbot record` as a child process against the reference signaling server with one synthetic
 *   participant; no Redis, no queue. It must show progress, leave after --duration, print the
 *   segments table, exit 0, and leave verified, decodable segments under --out.
 * - the compiled service, where each call runs in its own process (RECORDER_PROCESS_MODEL=child):
 *   segment uploads verified in the call process still send recording.segment_stored.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom } from '../../src/testworld/synthetic/test-world';
import { verifyWebhook } from '../../src/webhooks/webhook-signature';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '../..');
/** Inside node_modules so the compiled files resolve the project's dependencies. */
const DIST = join(ROOT, 'node_modules/.cache/recbot-record-cli-test/dist');

describe('compiled build: recbot record (child process) and the service with call processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-record-'));
  let signal: SignalingServerHandle | undefined;
  let room: TestRoom | undefined;

  beforeAll(async () => {
    // Type errors elsewhere in the tree must not stop the build of this command: tsc still emits.
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', DIST], {
      cwd: ROOT,
    }).catch(() => undefined);
    expect(existsSync(join(DIST, 'main.js'))).toBe(true);
  }, 180_000);

  afterAll(async () => {
    await room?.close().catch(() => undefined);
    await signal?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records one synthetic participant for --duration, prints progress and a segments table, exits 0', async () => {
    signal = await startSignalingServer({});
    room = new TestRoom(signal.url);
    await room.participant('Dana', { host: true });
    const out = join(dir, 'out');
    const child = spawn(
      process.execPath,
      [join(DIST, 'main.js'), 'record', '--signal', signal.url, '--room', room.roomId, '--duration', '12', '--name', 'Recorder CLI', '--out', out],
      { cwd: dir, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ICE_LOOPBACK_ONLY: 'true', OUTBOUND_ALLOW: 'loopback', SEGMENT_SECONDS: '4' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    const tookS = (Date.now() - started) / 1000;
    process.stdout.write(`recbot record exited ${code} after ${tookS.toFixed(1)} s\n${stdout}\n${stderr.slice(-2000)}`);
    expect(code).toBe(0);
    // Left after --duration (plus join and upload time), not at the empty-room timeout or later.
    expect(tookS).toBeLessThan(40);

    // Live progress lines, then the table.
    expect(stdout).toMatch(/in-room {2}participants 1 {2}tracks 2 {2}in [1-9]\d* kbps {2}segments \d+ written \/ \d+ uploaded/);
    expect(stdout).toMatch(/stop reason/);
    expect(stdout).toMatch(/max-duration/);
    expect(stdout).toMatch(/speaker\s+track\s+codec\s+segments/);
    expect(stdout).toMatch(/Dana\s+audio\s+audio\/opus/);
    expect(stdout).toMatch(/Dana\s+video\s+video\/VP8/);

    // The manifest and every segment are in --out, verified; segments decode.
    const id = /Files: .*recordings\/([0-9a-f-]{36})/.exec(stdout)?.[1];
    expect(id).toBeDefined();
    const m = JSON.parse(readFileSync(join(out, 'recordings', id!, 'manifest.json'), 'utf8')) as RecordingManifest;
    expect(m.participants.map((p) => p.name)).toEqual(['Dana']);
    expect(m.segments.length).toBeGreaterThanOrEqual(4);
    for (const s of m.segments) {
      expect(s.uploadedMs && s.md5 && s.key).toBeTruthy();
      const file = join(out, s.key!);
      const size = readFileSync(file).length;
      expect(size).toBe(s.size);
      execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
    }
    const audioS = m.segments.filter((s) => s.trackKey === 'audio').reduce((n, s) => n + s.timeline.durationMs, 0) / 1000;
    expect(audioS).toBeGreaterThan(6);
    // No spool left behind.
    expect(existsSync(join(out, '.recbot-work', 'spool', id!))).toBe(false);
  });

  it('the compiled service runs the call in a call process and sends recording.segment_stored for each stored segment', async () => {
    type Bootstrap = typeof import('../../src/app/bootstrap');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startService } = require(join(DIST, 'app/bootstrap.js')) as Bootstrap;
    const secret = 'compiled-service-secret';
    const got: { type: string; key?: string }[] = [];
    const rejected: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = verifyWebhook({ secret, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }) as { type: string; data: { segment?: { key: string } } };
          got.push({ type: body.type, key: body.data.segment?.key });
          res.writeHead(204).end();
        } catch (err) {
          rejected.push(String(err));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    signal ??= await startSignalingServer({});
    const callRoom = new TestRoom(signal.url);
    const svc = await startService({
      WORK_DIR: join(dir, 'svc'),
      LOG_LEVEL: 'warn',
      HTTP_PORT: '0',
      ICE_LOOPBACK_ONLY: 'true',
      OUTBOUND_ALLOW: 'loopback',
      SEGMENT_SECONDS: '4',
      RECORDER_PROCESS_MODEL: 'child',
      WEBHOOK_ENDPOINTS: JSON.stringify([{ url: `http://127.0.0.1:${port}/hooks`, secret, events: ['recording.segment_stored', 'recording.completed'] }]),
    });
    try {
      await callRoom.participant('Eve', { host: true });
      const res = await fetch(`${svc.url}/v1/recordings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signalingUrl: signal.url, roomId: callRoom.roomId, maxDurationS: 10, transcribe: false }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const deadline = Date.now() + 120_000;
      while (!got.some((g) => g.type === 'recording.completed')) {
        if (Date.now() > deadline) throw new Error(`no recording.completed; got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const m = ((await (await fetch(`${svc.url}/v1/recordings/${id}`)).json()) as { manifest: RecordingManifest }).manifest;
      expect(m.status).toBe('completed');
      expect(m.segments.length).toBeGreaterThanOrEqual(3);
      const stored = got.filter((g) => g.type === 'recording.segment_stored').map((g) => g.key);
      expect(stored.sort()).toEqual(m.segments.map((s) => s.key).sort());
      expect(rejected).toEqual([]);
    } finally {
      await callRoom.close().catch(() => undefined);
      await svc.close();
      await new Promise((r) => receiver.close(r));
    }
  });
});
