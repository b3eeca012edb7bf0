import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingManifest } from '../../src/manifest/manifest.types';

jest.setTimeout(300_000);
const ROOT = join(__dirname, '..', '..');

function probe(file: string): { duration: number; streams: string[] } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { format: { duration: string }; streams: { codec_type: string }[] };
  return { duration: Number(j.format.duration), streams: j.streams.map((s) => s.codec_type).sort() };
}

/** Pids of the call processes forked by `parent` (the recorder runs one per call). */
function callProcesses(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-f', 'call-child.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('`recbot demo` (the README first command, compiled build, one process per call)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-demo-'));
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records two speakers end to end, surviving a SIGKILL of the call process (journal recovery + rejoin as part 2)', async () => {
    const child = spawn(process.execPath, ['dist/main.js', 'demo', '--duration', '20'], { cwd: ROOT, env: { ...process.env, WORK_DIR: dir, JEST_WORKER_ID: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Kill the call process once it has written a few segments.
    let killedAt = 0;
    while (!killedAt) {
      await new Promise((r) => setTimeout(r, 500));
      if (child.exitCode !== null) throw new Error(`demo exited early: ${out}`);
      const pids = callProcesses(child.pid as number);
      if (pids.length > 0 && /segments=[3-9]/.test(out)) {
        process.kill(pids[0] as number, 'SIGKILL');
        killedAt = Date.now();
      }
    }
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect({ code, out: code === 0 ? '' : out }).toEqual({ code: 0, out: '' });
    expect(out).toMatch(/Segments written per speaker and track/);
    expect(out).toMatch(/Recording completed/);

    const id = /recording ([0-9a-f-]{36}) started/.exec(out)?.[1] as string;
    const m = JSON.parse(readFileSync(join(dir, 'storage', 'recordings', id, 'manifest.json'), 'utf8')) as RecordingManifest;
    expect(m.status).toBe('completed');
    // The crash: a second part, journals turned into recovered segments, a crash gap.
    expect(m.parts.map((p) => p.part)).toEqual([1, 2]);
    expect(m.segments.some((s) => s.recovered)).toBe(true);
    expect(m.gaps.some((g) => g.reason === 'crash')).toBe(true);
    // Recovered media reaches to within 1 s of the kill on every track that was recording then.
    const byTrack = new Map<string, number>();
    for (const s of m.segments.filter((x) => x.part === 1)) {
      const k = `${s.participantId}/${s.trackKey}`;
      byTrack.set(k, Math.max(byTrack.get(k) ?? 0, s.timeline.lastArrivalMs));
    }
    for (const last of byTrack.values()) expect(killedAt - last).toBeLessThan(1000);

    const speakers = m.outputs.filter((o) => o.kind === 'speaker');
    expect(speakers).toHaveLength(2);
    const sessionS = ((m.sessionEndMs ?? 0) - m.sessionStartMs) / 1000;
    for (const o of speakers) {
      const file = join(dir, 'storage', o.key);
      const p = probe(file);
      expect(p.streams).toEqual(['audio', 'video']);
      expect(Math.abs(p.duration - sessionS)).toBeLessThan(0.25);
      expect(execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    }
    expect(m.outputs.some((o) => o.kind === 'mix')).toBe(true);
    expect(m.segments.every((s) => s.uploadedMs && s.md5)).toBe(true);
    expect(existsSync(join(dir, 'spool', id))).toBe(false);
    expect(out).toMatch(/Interviewer: /);
    expect(out).toMatch(/Candidate: /);
  });
});
