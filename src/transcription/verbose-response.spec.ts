import { parseVerboseResponse, toUtterances } from './verbose-response';

const speaker = { speakerId: 'p1', speakerName: 'Ann' };

describe('verbose response', () => {
  it('rejects malformed bodies as non-retryable', () => {
    expect(() => parseVerboseResponse('hello')).toThrow(expect.objectContaining({ code: 'TRANSCRIBE_BAD_RESPONSE', retryable: false }));
    expect(() => parseVerboseResponse({ text: 1 })).toThrow(/malformed/);
  });

  it('assigns words to segments and shifts times', () => {
    const v = parseVerboseResponse({
      text: 'a b c',
      segments: [
        { start: 0, end: 1, text: ' a b' },
        { start: 2, end: 3, text: ' c' },
      ],
      words: [
        { word: 'a', start: 0.1, end: 0.4 },
        { word: 'b', start: 1.05, end: 1.2 }, // just past segment 0's end: nearest is segment 0
        { word: 'c', start: 2.1, end: 2.5 },
      ],
    });
    const u = toUtterances(v, speaker, 10);
    expect(u.map((x) => [x.start, x.end, x.text, x.words.map((w) => w.word).join(' ')])).toEqual([
      [10, 11, 'a b', 'a b'],
      [12, 13, 'c', 'c'],
    ]);
    expect(u[1]?.words[0]).toEqual({ word: 'c', start: 12.1, end: 12.5 });
  });

  it('falls back to words when there are no segments, and to nothing for empty text', () => {
    const u = toUtterances(parseVerboseResponse({ text: 'hi', words: [{ word: 'hi', start: 1, end: 1.5 }] }), speaker, 2);
    expect(u).toEqual([{ ...speaker, start: 3, end: 3.5, text: 'hi', words: [{ word: 'hi', start: 3, end: 3.5 }] }]);
    expect(toUtterances(parseVerboseResponse({ text: '' }), speaker, 0)).toEqual([]);
  });
});
