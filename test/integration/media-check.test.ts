/**
 * The decode check used before publishing (and by the e2e tests) must not flag a valid file. A
 * 30 fps VP8 track stored in WebM (1 ms timestamps: 33/34/33 ms apart) placed at an unlucky phase
 * (first frame at 2136 ms) makes a plain `ffmpeg -i f -f null -` print "non monotonically
 * increasing dts: 65 >= 65, 68 >= 68, ..." (its null output rounds to 1/30 s); a CI run failed on
 * exactly those lines. The pipeline's check keeps the file's time base and reports nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeErrors } from '../../src/pipeline/media-check';

const run = promisify(execFile);

describe('decodeErrors (real ffmpeg)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-media-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a valid 30 fps track whose phase makes the default null output collide, and still catches a broken one', async () => {
    const src = path.join(dir, 'src.webm');
    const file = path.join(dir, 'phase.webm');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=30:d=3', '-c:v', 'libvpx', '-g', '30', '-b:v', '200k', src]);
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono', '-itsoffset', '2.136', '-i', src,
      '-map', '0:a', '-map', '1:v', '-c:v', 'copy', '-c:a', 'libopus', '-t', '5', file]);
    const plain = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
    expect(plain.stderr).toMatch(/non monotonically increasing dts/); // the artefact the old check tripped on
    expect(await decodeErrors('ffmpeg', file)).toEqual([]);

    // A truncated file is still reported.
    const broken = path.join(dir, 'broken.webm');
    const { stdout } = await run('sh', ['-c', `head -c 30000 ${JSON.stringify(src)} > ${JSON.stringify(broken)}; wc -c < ${JSON.stringify(broken)}`]);
    expect(Number(stdout)).toBe(30000);
    expect((await decodeErrors('ffmpeg', broken)).length).toBeGreaterThan(0);
  });
});
