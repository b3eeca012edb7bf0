import { formatTimestamp, mergeTranscripts, renderTranscriptFiles, toSrt, toTxt, toVtt } from './transcript-merge';
import type { SpeakerTranscript } from './transcript.types';

const w = (word: string, start: number, end: number) => ({ word, start, end });
const alice: SpeakerTranscript = {
  speakerId: 'p-a',
  speakerName: 'Alice',
  language: 'english',
  chunksSent: 1,
  utterances: [
    { speakerId: 'p-a', speakerName: 'Alice', start: 0.5, end: 2, text: 'hello there', words: [w('hello', 0.5, 1), w('there', 1.1, 2)] },
    { speakerId: 'p-a', speakerName: 'Alice', start: 62, end: 63.25, text: ' yes & <no> ', words: [] },
  ],
};
const bob: SpeakerTranscript = {
  speakerId: 'p-b',
  speakerName: 'Bob',
  chunksSent: 1,
  utterances: [
    { speakerId: 'p-b', speakerName: 'Bob', start: 1.5, end: 3, text: 'hi alice', words: [w('hi', 1.5, 2), w('alice', 2.1, 3)] },
    { speakerId: 'p-b', speakerName: 'Bob', start: 10, end: 11, text: '   ', words: [] },
  ],
};

describe('mergeTranscripts', () => {
  it('orders all speakers by start, keeps overlapping speech separate and drops empty text', () => {
    const t = mergeTranscripts([bob, alice], { recordingId: 'rec-1' });
    expect(t.utterances.map((u) => [u.speakerName, u.start])).toEqual([
      ['Alice', 0.5],
      ['Bob', 1.5],
      ['Alice', 62],
    ]);
    expect(t.recordingId).toBe('rec-1');
    expect(t.language).toBe('english');
    expect(t.utterances[2]?.text).toBe('yes & <no>');
    expect(t.speakers).toEqual([
      { speakerId: 'p-b', speakerName: 'Bob' },
      { speakerId: 'p-a', speakerName: 'Alice' },
    ]);
  });

  it('renders WebVTT with voice tags and escaping, SRT and TXT', () => {
    const t = mergeTranscripts([alice, bob]);
    const vtt = toVtt(t);
    expect(vtt.startsWith('WEBVTT\n\n1\n00:00:00.500 --> 00:00:02.000\n<v Alice>hello there</v>\n')).toBe(true);
    expect(vtt).toContain('<v Alice>yes &amp; &lt;no&gt;</v>');
    expect(toSrt(t)).toContain('2\n00:00:01,500 --> 00:00:03,000\nBob: hi alice\n');
    expect(toTxt(t)).toBe('[00:00:00] Alice: hello there\n[00:00:01] Bob: hi alice\n[00:01:02] Alice: yes & <no>\n');
    const files = renderTranscriptFiles(t);
    expect(JSON.parse(files.json)).toEqual(t);
  });

  it('formats timestamps past an hour and clamps negatives', () => {
    expect(formatTimestamp(3723.4567)).toBe('01:02:03.457');
    expect(formatTimestamp(-1, ',')).toBe('00:00:00,000');
  });
});
