/**
 * Issue 5, test 3: the recorder (whole service in a child process) is SIGKILLed at a random moment
 * of a call with a real Chromium participant, then started again on the same WORK_DIR. The spool
 * journals must give back the media up to <= 1 s before the kill, every segment must decode cleanly,
 * and BullMQ must re-deliver the stalled JoinCall so that the bot rejoins as part 2. Every track gets a
 * crash gap; its open segment comes back from its journal (`recovered`) unless the kill fell inside
 * the first journal flush after a rollover, when the closed segment before it is the end.
 * A 2-minute call, killed at a random moment between 10 s and 110 s (so part 2 has time to record
 * before the end); lock/stall intervals are short so the takeover happens within seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant } from '../../src/testworld/browser/browser-participant';
import { startTestRedis, type RedisServerHandle } from '../support/redis-server';
import {
  checkSegmentFile, exposePeerConnections, serviceEnv, setSending, startRecording, stopRecording, trackSegments, waitManifest,
} from './recorder-harness';

jest.setTimeout(300_000);
const CALL_MS = 120_000;
const JOURNAL_FSYNC_MS = 500;

const HOOK = `const ts = require(${JSON.stringify(require.resolve('typescript'))});
const fs = require('fs');
require.extensions['.ts'] = (m, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, fileName: filename });
  m._compile(out.outputText, filename);
};`;

describe('SIGKILL of the recorder mid-call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-kill-'));
  const workDir = join(dir, 'work');
  let redis: RedisServerHandle;
  let signal: SignalingServerHandle;
  let host: BrowserParticipant | undefined;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
    signal = await startSignalingServer({});
    writeFileSync(join(dir, 'hook.js'), HOOK);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await host?.close();
    await signal?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const startChild = (): Promise<{ url: string; proc: ChildProcess }> => {
    const env = { ...process.env, ...serviceEnv(workDir, { REDIS_URL: redis.url, JOB_LOCK_DURATION_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000', SEGMENT_SECONDS: '4', JOURNAL_FSYNC_MS: String(JOURNAL_FSYNC_MS) }) };
    const proc = spawn(process.execPath, ['-r', join(dir, 'hook.js'), join(__dirname, 'recorder-kill.child.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proc);
    return new Promise((resolve, reject) => {
      let buf = '';
      proc.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /\{"url":"([^"]+)"\}/.exec(buf);
        if (m?.[1]) resolve({ url: m[1], proc });
      });
      proc.once('exit', (code) => reject(new Error(`service child exited (${code})`)));
    });
  };

  it('recovers media up to <= 1 s before a kill at a random moment; the bot rejoins as part 2', async () => {
    const room = `kill-${Date.now()}`;
    host = await BrowserParticipant.launch({ serverUrl: signal.url, roomId: `video:${room}`, participantId: 'chrome-host', role: 'host', codec: 'VP8' });
    await exposePeerConnections(host);
    const first = await startChild();
    const id = await startRecording(first.url, { signalingUrl: signal.url, roomId: room });
    await waitManifest(first.url, id, (m) => m.tracks.length >= 2, 40_000, 'both tracks recording');
    const callStart = Date.now();
    const killAfterMs = 10_000 + Math.floor(Math.random() * 100_000);
    await new Promise((r) => setTimeout(r, killAfterMs));
    const exited = new Promise((r) => first.proc.once('exit', r));
    const killedAt = Date.now();
    first.proc.kill('SIGKILL');
    await exited;

    const second = await startChild();
    // The stalled JoinCall is re-delivered; the bot rejoins as part 2 and records again.
    const rejoined = await waitManifest(second.url, id, (m) => m.segments.some((s) => s.part >= 2), 60_000, 'part 2 recording');
    expect(rejoined.parts.length).toBeGreaterThanOrEqual(2);
    // Part 2 records to the end of the 2-minute call (at least 3 s).
    await new Promise((r) => setTimeout(r, Math.max(3000, callStart + CALL_MS - Date.now())));
    await setSending(host, false);
    await new Promise((r) => setTimeout(r, 800));
    const m = await stopRecording(second.url, id);
    const out: string[] = [`killed after ${killAfterMs} ms of a ${CALL_MS / 1000} s call`];
    for (const trackKey of ['audio', 'video']) {
      const part1 = trackSegments(m, 'chrome-host', trackKey).filter((s) => s.part === 1);
      const end = Math.max(...part1.map((s) => s.timeline.lastArrivalMs));
      const recovered = part1.filter((s) => s.recovered).length;
      out.push(`${trackKey}: part 1 ${part1.length} segments (${recovered} recovered), media until ${killedAt - end} ms before the kill; part 2 ${trackSegments(m, 'chrome-host', trackKey).filter((s) => s.part >= 2).length} segments`);
      if (recovered === 0) {
        // The only case with nothing to recover: the kill fell inside the first journal flush of a
        // segment that had just rolled over, so the closed segment before it is the end of part 1.
        const lastClosed = Math.max(...part1.map((s) => s.closedMs));
        expect(killedAt - lastClosed).toBeLessThanOrEqual(JOURNAL_FSYNC_MS + 300);
      }
      expect(killedAt - end).toBeLessThanOrEqual(1000);
      // Part 1 is continuous media from its first frame to that end (no silent holes).
      const start = Math.min(...part1.map((s) => s.timeline.firstArrivalMs));
      const media = part1.reduce((n, s) => n + s.timeline.durationMs, 0);
      const gapsMs = m.gaps.filter((g) => g.participantId === 'chrome-host' && g.trackKey === trackKey && g.startMs >= start && g.endMs <= end).reduce((n, g) => n + g.endMs - g.startMs, 0);
      // (a segment's duration runs first to last frame: one frame interval per segment is not counted)
      expect(end - start - media - gapsMs).toBeLessThanOrEqual(500 + 60 * part1.length);
      expect(m.gaps.some((g) => g.participantId === 'chrome-host' && g.trackKey === trackKey && g.reason === 'crash')).toBe(true);
      expect(trackSegments(m, 'chrome-host', trackKey).some((s) => s.part >= 2)).toBe(true);
    }
    const storage = join(workDir, 'storage');
    for (const s of m.segments) {
      expect(s.key).toBeTruthy();
      const c = await checkSegmentFile(join(storage, s.key as string));
      expect({ seg: `${s.part}:${s.trackKey}/${s.seq}`, decode: c.decodeErrors }).toEqual({ seg: `${s.part}:${s.trackKey}/${s.seq}`, decode: '' });
    }
    console.log(`SIGKILL: ${out.join('; ')}`);
  });
});
