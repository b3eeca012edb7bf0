import { z } from 'zod';
import { RecbotError } from '../common/errors';
import type { TranscriptWord, Utterance } from './transcript.types';

const wordSchema = z.object({ word: z.string(), start: z.number(), end: z.number() });
const verboseSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().optional(),
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })).optional(),
  words: z.array(wordSchema).optional(),
});
/** The fields of a verbose_json transcription recbot relies on. */
export type VerboseResult = z.output<typeof verboseSchema>;

/** Validate an endpoint's verbose_json body (unknown until checked); malformed -> non-retryable RecbotError. */
export function parseVerboseResponse(body: unknown): VerboseResult {
  const r = verboseSchema.safeParse(body);
  if (!r.success) {
    const got = typeof body === 'string' ? `text ${JSON.stringify(body.slice(0, 80))}` : typeof body;
    throw new RecbotError('TRANSCRIBE_BAD_RESPONSE', `endpoint returned a malformed verbose_json body (${got}): ${r.error.issues[0]?.message ?? ''}`);
  }
  return r.data;
}

const r3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Turn one chunk's result into utterances on the session clock: each segment becomes an utterance,
 * each word goes to the segment holding its start (else the nearest), all times shifted by `shiftSec`. Pure.
 */
export function toUtterances(
  v: VerboseResult,
  speaker: { speakerId: string; speakerName: string },
  shiftSec: number,
): Utterance[] {
  const words: TranscriptWord[] = (v.words ?? [])
    .map((w) => ({ word: w.word.trim(), start: r3(w.start + shiftSec), end: r3(w.end + shiftSec) }))
    .filter((w) => w.word !== '');
  const segs = (v.segments ?? []).filter((s) => s.text.trim() !== '');
  if (segs.length === 0) {
    // No segments (e.g. only word granularity): one utterance from the words or the text.
    const text = v.text.trim();
    if (text === '') return [];
    const first = words[0];
    const last = words[words.length - 1];
    return [{ ...speaker, start: first?.start ?? r3(shiftSec), end: last?.end ?? r3(shiftSec + (v.duration ?? 0)), text, words }];
  }
  const utts: Utterance[] = segs.map((s) => ({
    ...speaker,
    start: r3(s.start + shiftSec),
    end: r3(s.end + shiftSec),
    text: s.text.trim(),
    words: [],
  }));
  for (const w of words) {
    let best = utts[0];
    let bestDist = Infinity;
    for (const u of utts) {
      const dist = w.start < u.start ? u.start - w.start : w.start >= u.end ? w.start - u.end + 1e-6 : 0;
      if (dist < bestDist) {
        best = u;
        bestDist = dist;
      }
    }
    best?.words.push(w);
  }
  return utts;
}
