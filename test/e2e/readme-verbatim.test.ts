/**
 * What a new user does, and nothing more: a fresh `git clone` of this checkout, then the README's
 * first command exactly as README.md writes it (parsed out of it, so the two cannot drift), with the
 * clone as cwd and no environment variables beyond a login shell's PATH and HOME. It installs npm
 * packages, builds, records the demo call and publishes; every published output must decode.
 * (The clone is of the committed HEAD: uncommitted changes are not part of what a user gets.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { decodeErrors, probe } from '../../src/pipeline/media-check';

jest.setTimeout(20 * 60_000);
const ROOT = path.resolve(__dirname, '..', '..');

/** The two commands of README.md's "The two commands" section, comments stripped. */
export function readmeCommands(readme: string): { demo: string; test: string } {
  const section = readme.split(/^## The two commands\s*$/m)[1] ?? '';
  const block = /```(?:sh|bash)\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  if (lines.length !== 2) throw new Error(`README's two commands not found (got ${JSON.stringify(lines)})`);
  return { demo: lines[0] as string, test: lines[1] as string };
}

describe('README verbatim on a fresh clone', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'recbot-readme-'));
  const clone = path.join(tmp, 'recbot');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('.ci/run runs exactly the README test command', () => {
    const { test } = readmeCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ci[ci.length - 1]).toBe(test);
  });

  it('the first command records the demo call end to end: exit 0, "Recording completed", every output decodes', async () => {
    execFileSync('git', ['clone', '--quiet', ROOT, clone], { stdio: 'inherit' });
    const { demo } = readmeCommands(readFileSync(path.join(clone, 'README.md'), 'utf8'));
    const t0 = Date.now();
    const child = spawn('bash', ['-c', demo], { cwd: clone, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    process.stdout.write(`README first command (${demo}) on a fresh clone: exit ${code} after ${Math.round((Date.now() - t0) / 1000)} s\n`);
    expect({ code, out: code === 0 ? '' : out.slice(-6000) }).toEqual({ code: 0, out: '' });
    expect(out).toContain('Recording completed');

    const id = /recording ([0-9a-f-]{36}) started/.exec(out)?.[1];
    expect(id).toBeDefined();
    // The default WORK_DIR is var/ of the installation: the clone's own.
    const root = path.join(clone, 'var', 'storage');
    const m = JSON.parse(readFileSync(path.join(root, 'recordings', id as string, 'manifest.json'), 'utf8')) as RecordingManifest;
    expect(m.status).toBe('completed');
    const kinds = m.outputs.map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['mix', 'speaker', 'transcript']));
    for (const o of m.outputs) {
      const file = path.join(root, o.key);
      expect(existsSync(file)).toBe(true);
      if (/\.(webm|mkv|mp4)$/.test(o.key)) {
        const p = await probe('ffprobe', file);
        expect(p.durationMs).toBeGreaterThan(10_000);
        expect(await decodeErrors('ffmpeg', file)).toEqual([]);
      } else if (o.key.endsWith('.json')) {
        expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
      } else if (o.key.endsWith('.vtt')) {
        expect(readFileSync(file, 'utf8')).toMatch(/^WEBVTT/);
      }
    }
  });
});
