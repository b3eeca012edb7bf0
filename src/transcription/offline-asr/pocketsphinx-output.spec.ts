import { renderAsrResponse, toVerboseJson } from './asr-formats';
import { parsePocketsphinxOutput } from './pocketsphinx-output';

const out = `the quick brown
<s> 0.100 0.150 0.999600
the 0.160 0.280 0.590928
quick 0.290 0.560 0.120700
<sil> 0.570 0.600 0.5
[NOISE] 0.600 0.610 0.5
brown(2) 0.620 0.910 0.500434
</s> 0.920 1.000 1.000000

<s> 3.000 3.100 1
</s> 3.100 3.200 1
hello
<s> 5.050 5.170 1.000100
hello(2) 5.180 5.600 0.345998
</s> 5.610 5.700 1
`;

describe('parsePocketsphinxOutput', () => {
  it('builds one segment per utterance with words, dropping fillers and alternates', () => {
    const segs = parsePocketsphinxOutput(out);
    expect(segs).toEqual([
      {
        start: 0.16,
        end: 0.91,
        text: 'the quick brown',
        words: [
          { word: 'the', start: 0.16, end: 0.28 },
          { word: 'quick', start: 0.29, end: 0.56 },
          { word: 'brown', start: 0.62, end: 0.91 },
        ],
      },
      { start: 5.18, end: 5.6, text: 'hello', words: [{ word: 'hello', start: 5.18, end: 5.6 }] },
    ]);
  });

  it('gives nothing for silent output', () => {
    expect(parsePocketsphinxOutput('')).toEqual([]);
  });
});

describe('asr response formats', () => {
  const v = toVerboseJson(parsePocketsphinxOutput(out), { durationSec: 6, language: 'english', words: true });
  it('builds verbose_json like OpenAI', () => {
    expect(v.text).toBe('the quick brown hello');
    expect(v.segments.map((s) => [s.id, s.start, s.end])).toEqual([
      [0, 0.16, 0.91],
      [1, 5.18, 5.6],
    ]);
    expect(v.words).toHaveLength(4);
    expect(toVerboseJson([], { durationSec: 1, language: 'english', words: false }).words).toBeUndefined();
  });
  it('renders json, text, srt and vtt', () => {
    expect(renderAsrResponse(v, 'json')).toEqual(['application/json', '{"text":"the quick brown hello"}']);
    expect(renderAsrResponse(v, 'text')[1]).toBe('the quick brown hello\n');
    expect(renderAsrResponse(v, 'srt')[1]).toContain('2\n00:00:05,180 --> 00:00:05,600\nhello\n');
    expect(renderAsrResponse(v, 'vtt')[1]).toMatch(/^WEBVTT\n\n00:00:00\.160 --> 00:00:00\.910\nthe quick brown\n/);
  });
});
