import { parseSilenceDetect, planChunks } from './chunk-plan';

describe('parseSilenceDetect', () => {
  it('reads start/end pairs and closes a silence open at the end', () => {
    const stderr = [
      '[silencedetect @ 0x1] silence_start: 0',
      '[silencedetect @ 0x1] silence_end: 1.5 | silence_duration: 1.5',
      'size=N/A time=00:00:05.00',
      '[silencedetect @ 0x1] silence_start: 4.25',
    ].join('\n');
    expect(parseSilenceDetect(stderr, 6)).toEqual([
      { start: 0, end: 1.5 },
      { start: 4.25, end: 6 },
    ]);
  });
});

describe('planChunks', () => {
  const opts = { maxChunkSec: 20, skipSilenceSec: 3, padSec: 0.3 };

  it('gives no chunk for all-silent audio', () => {
    expect(planChunks(30, [{ start: 0, end: 30 }], opts)).toEqual([]);
  });

  it('skips long silences and keeps short pauses inside a chunk', () => {
    const silences = [
      { start: 0, end: 2 },
      { start: 5, end: 5.5 }, // short pause: kept
      { start: 8, end: 15 }, // long: skipped
      { start: 18, end: 25 }, // trailing
    ];
    expect(planChunks(25, silences, opts)).toEqual([
      { index: 0, start: 1.7, end: 8.3 },
      { index: 1, start: 14.7, end: 18.3 },
    ]);
  });

  it('cuts long speech at the latest silence before the limit, else hard at the limit', () => {
    const silences = [
      { start: 12, end: 12.6 },
      { start: 16, end: 16.4 },
    ];
    const chunks = planChunks(50, silences, opts);
    expect(chunks[0]).toEqual({ index: 0, start: 0, end: 16.2 });
    expect(chunks[1]).toEqual({ index: 1, start: 16.2, end: 36.2 });
    expect(chunks[2]).toEqual({ index: 2, start: 36.2, end: 50 });
    for (const c of chunks) expect(c.end - c.start).toBeLessThanOrEqual(20 + 1e-9);
  });
});
