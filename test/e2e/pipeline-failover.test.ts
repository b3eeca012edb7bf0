/**
 * Issue 6, acceptance 4: a recorder that dies mid-call. Two recorder processes (APP_ROLE=recorder,
 * same REDIS_URL, short JOB_LOCK_DURATION_MS / JOB_STALLED_INTERVAL_MS) plus an api and a worker;
 * the recorder running the call is SIGKILLed; the other one takes the stalled JoinCall over and
 * rejoins as part 2; the published speaker file covers the whole call with a silent gap for the outage.
 * And a recorder that loses its JoinCall lock (as after a Redis outage longer than the lock) while
 * its bot is fine: the job runs again as part 2 and part 1 leaves only once part 2 is in the call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import type { RedisServerHandle } from '../../src/infra/redis-process';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';
import { silences } from '../integration/pipeline-fixtures';
import { Redis } from 'ioredis';
import { jobId } from '../../src/jobs/job-ids';
import { JobName, QueueName } from '../../src/jobs/job.types';
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
  const moreRedis: RedisServerHandle[] = [];
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
    for (const r of moreRedis) await r.stop().catch(() => undefined);
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
        // E2E_CHILD_LOG_DIR=/some/dir keeps each recorder's JSON log (stdout) for debugging.
        if (process.env.E2E_CHILD_LOG_DIR) appendFileSync(path.join(process.env.E2E_CHILD_LOG_DIR, `${name}.log`), d);
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
  it.each([
    ['two recorders with one call each: the other one takes the job over as part 2, the first leaves once part 2 is in', 2],
    ['one recorder: the job comes back to it and it adopts its running call (one part, no rejoin)', 1],
  ])('a lost JoinCall lock, %s; no gap, no overwritten segment', async (_label, count) => {
    const redis2 = await startTestRedis();
    moreRedis.push(redis2);
    const { bucket, info, client } = await createTestBucket(`e2e-lock-lost-${count}`);
    // Two recorders: RECORDER_MAX_CALLS=1 keeps the busy one from taking its own job back, so the
    // takeover path runs; one recorder (default capacity): the job can only come back to it.
    const env = {
      ...BASE_ENV, ...s3Env(info, bucket), REDIS_URL: redis2.url, JOB_LOCK_DURATION_MS: '4000', JOB_STALLED_INTERVAL_MS: '1500',
      ...(count === 2 ? { RECORDER_MAX_CALLS: '1' } : {}),
    };
    const recorders = (count === 2 ? ['a', 'b'] : ['solo']).map((n) => startRecorder(`lock${count}-${n}`, env));
    const api = await startService({ ...env, APP_ROLE: 'api', WORK_DIR: path.join(dir, `lock${count}-api`) });
    services.push(api);
    services.push(await startService({ ...env, APP_ROLE: 'worker', WORK_DIR: path.join(dir, `lock${count}-worker`) }));
    await Promise.all(recorders.map((r) => r.ready));
    signal ??= await startSignalingServer({});
    const lockRoom = new TestRoom(signal.url);
    try {
      await lockRoom.participant('Solo', { host: true });
      const id = await createRecording(api.url, { signalingUrl: signal.url, roomId: lockRoom.roomId, maxDurationS: 120, transcribe: false });
      await waitForManifest(api.url, id, (m) => m.segments.some((s) => s.uploadedMs), 40_000);
      await sleep(3000);
      // Redis loses the running recorder's lock (what an outage longer than the lock leaves behind).
      const cli = new Redis(redis2.url);
      try {
        const lockKey = `recbot:${QueueName.Bots}:${jobId({ name: JobName.JoinCall, data: { recordingId: id, part: 0 } })}:lock`;
        expect(await cli.del(lockKey)).toBe(1);
      } finally {
        cli.disconnect();
      }
      // BullMQ runs the stalled job again on either recorder. The other one joins as part 2 and part 1
      // leaves once part 2 is there; the same one adopts its running call (no second bot, one part).
      if (count === 2) {
        // Part 2 joins; part 1 leaves once part 2 records (its track is in the stored manifest).
        await waitForManifest(api.url, id, (x) => x.parts.some((p) => p.part === 1 && p.endReason === 'lock-lost') && x.segments.some((s) => s.part === 2 && s.uploadedMs), 60_000);
        await sleep(2000);
      } else {
        await sleep(15_000); // the adopted call goes on as if nothing happened
      }
      expect((await fetch(`${api.url}/v1/recordings/${id}/stop`, { method: 'POST' })).status).toBe(202);
      const m = await waitForManifest(api.url, id, isFinal, 120_000);
      expect(m.status).toBe('completed');
      const takeover = m.parts.some((p) => p.part === 2);
      expect(takeover).toBe(count === 2);
      expect(m.parts.map((p) => p.part).sort()).toEqual(takeover ? [1, 2] : [1]);
      if (takeover) {
        const p1 = m.parts.find((p) => p.part === 1)!;
        const p2 = m.parts.find((p) => p.part === 2)!;
        console.log(`lock lost, taken over: part 2 started at +${p2.startedMs - m.sessionStartMs} ms, part 1 left at +${(p1.endedMs ?? 0) - m.sessionStartMs} ms`);
        expect(p1.endReason).toBe('lock-lost');
        expect(p1.endedMs).toBeGreaterThan(p2.startedMs); // part 1 stayed until part 2 was there
      } else {
        console.log('lock lost, job came back to the same recorder: it adopted its running call (one part, no rejoin)');
        expect(m.parts[0]?.endReason).toBe('stopped');
      }
      const keys = m.segments.map((s) => s.key);
      expect(keys.every((k) => typeof k === 'string')).toBe(true);
      expect(new Set(keys).size).toBe(keys.length); // no part overwrote the other's objects
      if (takeover) {
        // The call is covered across the handover: part 2's audio starts before part 1's ends.
        const audio = m.segments.filter((s) => m.tracks.some((t) => t.trackKey === s.trackKey && t.participantId === s.participantId && t.kind === 'audio'));
        const part1End = Math.max(...audio.filter((s) => s.part === 1).map((s) => s.timeline.lastArrivalMs));
        const part2Start = Math.min(...audio.filter((s) => s.part === 2).map((s) => s.timeline.firstArrivalMs));
        console.log(`audio: part 1 until +${part1End - m.sessionStartMs} ms, part 2 from +${part2Start - m.sessionStartMs} ms`);
        expect(part2Start).toBeLessThan(part1End);
      } else {
        // One part: every audio segment follows the previous one directly (no hole from the lost lock).
        const audio = m.segments.filter((s) => s.trackKey === 'audio').sort((x, y) => x.seq - y.seq);
        for (let i = 1; i < audio.length; i++) expect(audio[i]!.timeline.firstArrivalMs - audio[i - 1]!.timeline.lastArrivalMs).toBeLessThan(500);
      }
      const speaker = m.outputs.find((o) => o.kind === 'speaker');
      const file = await download(client, bucket, speaker!.key, path.join(dir, `lock${count}-speaker.webm`));
      const pr = await probe(file);
      expect(pr.streams).toEqual(['audio', 'video']);
      expect(Math.abs(pr.durationS * 1000 - ((m.sessionEndMs ?? 0) - m.sessionStartMs))).toBeLessThanOrEqual(150);
      expect(await decodeErrors(file)).toBe('');
    } finally {
      await lockRoom.close().catch(() => undefined);
      for (const r of recorders) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    }
  });
});
