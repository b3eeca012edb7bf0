import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/demo';

jest.setTimeout(240_000);

function probe(file: string): { duration: number; streams: string[] } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { format: { duration: string }; streams: { codec_type: string }[] };
  return { duration: Number(j.format.duration), streams: j.streams.map((s) => s.codec_type).sort() };
}

describe('the demo (README first command): service on embedded defaults records a call end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records two synthetic speakers through the HTTP API, publishes seekable per-speaker files, a mix and a transcript', async () => {
    const lines: string[] = [];
    const r = await runDemo({ durationS: 15, participants: 2, env: { WORK_DIR: dir }, out: (l) => lines.push(l) });
    const m = r.manifest;
    expect(m.status).toBe('completed');
    const speakers = m.outputs.filter((o) => o.kind === 'speaker');
    expect(speakers).toHaveLength(2);
    const sessionS = ((m.sessionEndMs ?? 0) - m.sessionStartMs) / 1000;
    for (const o of speakers) {
      const p = probe(join(dir, 'storage', o.key));
      expect(p.streams).toEqual(['audio', 'video']);
      expect(Math.abs(p.duration - sessionS)).toBeLessThan(0.25);
      // decodes cleanly
      const errors = execFileSync('ffmpeg', ['-v', 'error', '-i', join(dir, 'storage', o.key), '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(errors).toBe('');
    }
    expect(m.outputs.some((o) => o.kind === 'mix')).toBe(true);
    // Every segment was uploaded (verified) and no local spool is left behind.
    expect(m.segments.length).toBeGreaterThanOrEqual(8);
    expect(m.segments.every((s) => s.uploadedMs && s.md5)).toBe(true);
    // The transcript names both speakers (attribution by track ownership).
    expect(r.transcript).toMatch(/Interviewer: /);
    expect(r.transcript).toMatch(/Candidate: /);
    expect(lines.join('\n')).toMatch(/Segments written per speaker and track/);
  });
});
