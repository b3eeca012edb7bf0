/**
 * Issue 6, acceptance 4: a recorder that dies mid-call. Two recorder processes (APP_ROLE=recorder,
 * same REDIS_URL, short JOB_LOCK_DURATION_MS / JOB_STALLED_INTERVAL_MS) plus an api and a worker;
 * the recorder running the call is SIGKILLed; the other one takes the stalled JoinCall over and
 * rejoins as part 2; the published speaker file covers the whole call with a silent gap for the outage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import type { RedisServerHandle } from '../../src/infra/redis-process';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';
import { silences } from '../integration/pipeline-fixtures';
import { startTestRedis } from '../support/redis-server';
import { createTestBucket } from '../support/rgw';
import { BASE_ENV, createRecording, decodeErrors, download, isFinal, probe, s3Env, waitForManifest } from './pipeline-e2e.support';

jest.setTimeout(240_000);

/** Run .ts children without a build: transpile on require (decorator metadata for Nest). */
const HOOK = `const ts = require(${JSON.stringify(require.resolve('typescript'))});
const fs = require('fs');
require.extensions['.ts'] = (m, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, fileName: filename });
  m._compile(out.outputText, filename);
};`;

interface RecorderChild {
  name: string;
  workDir: string;
  proc: ChildProcess;
  ready: Promise<void>;
}

describe('a recorder SIGKILLed mid-call (two recorder processes)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-e2e-failover-'));
  let redis: RedisServerHandle | undefined;
  let signal: SignalingServerHandle | undefined;
  let room: TestRoom | undefined;
  const services: RunningService[] = [];
  const children: RecorderChild[] = [];
  afterAll(async () => {
    await room?.close().catch(() => undefined);
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    for (const s of services) await s.close().catch(() => undefined);
    await signal?.close().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  function startRecorder(name: string, env: Record<string, string>): RecorderChild {
    const hook = path.join(dir, 'hook.js');
    if (!existsSync(hook)) writeFileSync(hook, HOOK);
    const workDir = path.join(dir, name);
    const proc = spawn(process.execPath, ['-r', hook, path.join(__dirname, 'pipeline-failover.child.ts')], {
      env: { ...process.env, ...env, APP_ROLE: 'recorder', WORK_DIR: workDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY ')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`recorder ${name} exited (${code}) before ready`)));
    });
    ready.catch(() => undefined);
    const child = { name, workDir, proc, ready };
    children.push(child);
    return child;
  }

  it('the other recorder rejoins as part 2; outputs cover the call with a gap for the outage', async () => {
    redis = await startTestRedis();
    const { bucket, info, client } = await createTestBucket('e2e-failover');
    const env = { ...BASE_ENV, ...s3Env(info, bucket), REDIS_URL: redis.url, JOB_LOCK_DURATION_MS: '4000', JOB_STALLED_INTERVAL_MS: '1500' };
    const recorders = [startRecorder('rec-a', env), startRecorder('rec-b', env)];
    const api = await startService({ ...env, APP_ROLE: 'api', WORK_DIR: path.join(dir, 'api') });
    services.push(api);
    services.push(await startService({ ...env, APP_ROLE: 'worker', WORK_DIR: path.join(dir, 'worker') }));
    await Promise.all(recorders.map((r) => r.ready));
    signal = await startSignalingServer({});
    room = new TestRoom(signal.url);
    await room.participant('Solo', { host: true });
    const id = await createRecording(api.url, { signalingUrl: signal.url, roomId: room.roomId, maxDurationS: 120, transcribe: false });
    await waitForManifest(api.url, id, (m) => m.segments.some((s) => s.uploadedMs), 40_000);
    await sleep(4000);
    const running = recorders.find((r) => existsSync(path.join(r.workDir, 'spool', id)));
    expect(running).toBeDefined();
    running!.proc.kill('SIGKILL');
    const killedAt = Date.now();
    // The stalled JoinCall is taken over (lock 4 s + stall check 1.5 s) and the bot rejoins as part 2.
    const rejoined = await waitForManifest(api.url, id, (m) => m.segments.some((s) => s.part === 2 && s.uploadedMs), 60_000);
    const part2 = rejoined.parts.find((p) => p.part === 2);
    expect(part2).toBeDefined();
    console.log(`recorder ${running!.name} killed; part 2 started ${part2!.startedMs - killedAt} ms later`);
    await sleep(5000);
    const stop = await fetch(`${api.url}/v1/recordings/${id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(202);
    const m = await waitForManifest(api.url, id, isFinal, 120_000);
    expect(m.status).toBe('completed');
    expect(new Set(m.segments.map((s) => s.part))).toEqual(new Set([1, 2]));

    const speaker = m.outputs.find((o) => o.kind === 'speaker');
    const file = await download(client, bucket, speaker!.key, path.join(dir, 'speaker.webm'));
    const p = await probe(file);
    const sessionMs = (m.sessionEndMs ?? 0) - m.sessionStartMs;
    expect(p.streams).toEqual(['audio', 'video']);
    expect(Math.abs(p.durationS * 1000 - sessionMs)).toBeLessThanOrEqual(150);
    expect(await decodeErrors(file)).toBe('');
    // The outage is a silent gap: from the end of part 1's last uploaded audio to part 2's first.
    const audio = m.segments.filter((s) => s.trackKey === 'audio' || m.tracks.some((t) => t.trackKey === s.trackKey && t.kind === 'audio'));
    const part1End = Math.max(...audio.filter((s) => s.part === 1).map((s) => s.timeline.lastArrivalMs)) - m.sessionStartMs;
    const part2Start = Math.min(...audio.filter((s) => s.part === 2).map((s) => s.timeline.firstArrivalMs)) - m.sessionStartMs;
    expect(part1End).toBeLessThan(killedAt - m.sessionStartMs + 500);
    expect(part2Start - part1End).toBeGreaterThan(3000);
    const gaps = await silences(file, { noiseDb: -60, minS: 1 });
    console.log(`part 1 audio ends ${part1End} ms, part 2 starts ${part2Start} ms; silences ${JSON.stringify(gaps)}`);
    const covering = gaps.find(([s, e]) => s * 1000 <= part1End + 300 && e * 1000 >= part2Start - 300);
    expect(covering).toBeDefined();
  });
});
