import { formatTimestamp } from '../transcript-merge';
import type { AsrSegment } from './pocketsphinx-output';

/** OpenAI's verbose_json transcription body (the subset clients read, plus Whisper's segment fields). */
export interface VerboseTranscription {
  task: 'transcribe';
  language: string;
  duration: number;
  text: string;
  segments: {
    id: number;
    seek: number;
    start: number;
    end: number;
    text: string;
    tokens: number[];
    temperature: number;
    avg_logprob: number;
    compression_ratio: number;
    no_speech_prob: number;
  }[];
  words?: { word: string; start: number; end: number }[];
}

export type ResponseFormat = 'json' | 'verbose_json' | 'text' | 'srt' | 'vtt';

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Build the verbose_json body from recogniser segments. Words are included only when asked for. */
export function toVerboseJson(
  segs: AsrSegment[],
  opts: { durationSec: number; language: string; words: boolean },
): VerboseTranscription {
  const body: VerboseTranscription = {
    task: 'transcribe',
    language: opts.language,
    duration: round(opts.durationSec),
    text: segs.map((s) => s.text).join(' '),
    segments: segs.map((s, id) => ({
      id,
      seek: 0,
      start: round(s.start),
      end: round(s.end),
      text: ` ${s.text}`,
      tokens: [],
      temperature: 0,
      avg_logprob: 0,
      compression_ratio: 1,
      no_speech_prob: 0,
    })),
  };
  if (opts.words) {
    body.words = segs.flatMap((s) => s.words.map((w) => ({ word: w.word, start: round(w.start), end: round(w.end) })));
  }
  return body;
}

/** Render a result in the requested response_format: [content-type, body]. */
export function renderAsrResponse(v: VerboseTranscription, format: ResponseFormat): [string, string] {
  switch (format) {
    case 'verbose_json':
      return ['application/json', JSON.stringify(v)];
    case 'json':
      return ['application/json', JSON.stringify({ text: v.text })];
    case 'text':
      return ['text/plain; charset=utf-8', `${v.text}\n`];
    case 'srt':
      return [
        'text/plain; charset=utf-8',
        v.segments
          .map((s, i) => `${i + 1}\n${formatTimestamp(s.start, ',')} --> ${formatTimestamp(s.end, ',')}\n${s.text.trim()}\n`)
          .join('\n'),
      ];
    case 'vtt':
      return [
        'text/vtt; charset=utf-8',
        ['WEBVTT\n', ...v.segments.map((s) => `${formatTimestamp(s.start)} --> ${formatTimestamp(s.end)}\n${s.text.trim()}\n`)].join(
          '\n',
        ),
      ];
  }
}
