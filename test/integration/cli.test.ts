/**
 * The compiled CLI as a user runs it (`node dist/main.js ...`, built by scripts/setup.sh): every
 * command answers --help, an unknown flag is a clear usage error (exit 2), and start-up names every
 * missing binary in one line instead of failing jobs later.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'main.js');
const COMMANDS = ['serve', 'demo', 'signal', 'record', 'jobs', 'storage'];

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('recbot CLI', () => {
  it.each(COMMANDS)('%s --help prints its usage and options, exit 0', (name) => {
    const r = cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: recbot ${name}`));
    expect(r.out.split('\n').length).toBeGreaterThan(4);
  });

  it('help lists every command', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c}`);
  });

  it.each([
    ['demo', '--bogus'],
    ['record', '--sginal', 'http://x'],
    ['signal', '--prot', '1'],
    ['jobs', '--nope'],
    ['storage', 'apply-lifecycle', '--x'],
    ['serve', 'extra'],
  ])('%s with an unknown flag or argument is a usage error (exit 2)', (...args) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^recbot ${args[0]}: `));
    expect(r.err).toContain(`recbot ${args[0]} --help`);
    expect(r.err).not.toContain('    at '); // no stack trace
  });

  it('an unknown command is an error with the command list', () => {
    const r = cli(['recrod']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'recrod'");
  });

  it('start-up names every missing binary in one line, with the packages to install', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recbot-cli-'));
    try {
      // An empty PATH: node is started by absolute path; redis-server, ffmpeg, ffprobe, pocketsphinx are not found.
      const r = cli(['serve'], { PATH: dir, WORK_DIR: dir, HTTP_PORT: '0' });
      expect(r.code).toBe(1);
      const line = r.err.trim();
      expect(line.split('\n')).toHaveLength(1);
      for (const b of ['redis-server', 'ffmpeg', 'ffprobe', 'pocketsphinx_continuous']) expect(line).toContain(`'${b}'`);
      expect(line).toContain('apt-get install -y redis-server ffmpeg pocketsphinx');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
