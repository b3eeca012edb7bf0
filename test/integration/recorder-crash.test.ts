/**
 * Crash safety: a child process records real VP8 + Opus RTP in real time and is SIGKILLed;
 * recoverSpool must rebuild the open segments so that media up to <= 1 s before the kill survives
 * and decodes cleanly.
 */
import { spawn } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recoverSpool } from '../../src/recorder/recover-spool';
import { captureRtp } from '../../src/recorder/testing/rtp-capture';
import { checkSegment } from '../../src/recorder/testing/media-check';

jest.setTimeout(60_000);

const HOOK = `const ts = require(${JSON.stringify(require.resolve('typescript'))});
const fs = require('fs');
require.extensions['.ts'] = (m, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: filename });
  m._compile(out.outputText, filename);
};`;

it('recovers the open segments after SIGKILL, losing at most ~1 s', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-crash-'));
  const spool = path.join(dir, 'spool');
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const hook = path.join(dir, 'hook.js');
    await fsp.writeFile(hook, HOOK);
    const specs: string[] = [];
    for (const [codec, kind, rate, mime] of [['vp8', 'video', 90000, 'video/VP8'], ['opus', 'audio', 48000, 'audio/opus']] as const) {
      const packets = await captureRtp(codec, 8);
      const file = path.join(dir, `${codec}.rtp`);
      await fsp.writeFile(file, Buffer.concat(packets.flatMap((p) => {
        const raw = p.serialize();
        const len = Buffer.alloc(4);
        len.writeUInt32LE(raw.length);
        return [len, raw];
      })));
      specs.push(`${kind}:${rate}:${mime}:${file}`);
    }
    child = spawn(process.execPath, ['-r', hook, path.join(__dirname, '../../src/recorder/testing/crash-child.ts'), spool, 'rec-crash', ...specs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const fed: Record<string, number> = {};
    let buf = '';
    const proc = child;
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const [, kind, ms] = l.split(' ');
        if (kind && ms) fed[kind] = Number(ms);
      }
    });
    // Kill mid-segment (segments are 2 s): after ~5.3 s of media.
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if ((fed.video ?? 0) >= 5300 && (fed.audio ?? 0) >= 5300) {
          clearInterval(t);
          resolve();
        }
      }, 10);
      proc.on('exit', () => reject(new Error('child exited early')));
    });
    const killedAt = { ...fed };
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;

    const found = await recoverSpool(spool);
    expect(found).toHaveLength(1);
    const rec = found[0]!;
    expect(rec.recoveredSegments.length).toBe(2);
    expect(rec.recoveredSegments.every((s) => s.recovered)).toBe(true);
    expect(rec.manifest.gaps.filter((g) => g.reason === 'crash')).toHaveLength(2);
    for (const kind of ['video', 'audio']) {
      const segs = rec.manifest.segments.filter((s) => s.trackKey === kind).sort((a, b) => a.seq - b.seq);
      expect(segs.length).toBeGreaterThanOrEqual(3);
      let covered = 0;
      for (const s of segs) {
        const r = await checkSegment(s.localPath as string);
        expect(r.decodeErrors).toBe('');
        expect(r.packets).toBe(s.frames);
        covered += r.durationMs;
      }
      expect(covered).toBeGreaterThan((killedAt[kind] ?? 0) - 1000);
      expect(covered).toBeLessThan((killedAt[kind] ?? 0) + 100);
    }
    const files = await fsp.readdir(path.join(rec.dir, 'p1', 'video'));
    expect(files.filter((f) => f.endsWith('.journal'))).toEqual([]);
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
