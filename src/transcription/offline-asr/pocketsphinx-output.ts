/** A recognised word with times in seconds from the start of the audio. */
export interface AsrWord {
  word: string;
  start: number;
  end: number;
}

/** One utterance as pocketsphinx segmented it (it cuts at pauses). */
export interface AsrSegment {
  start: number;
  end: number;
  text: string;
  words: AsrWord[];
}

const WORD_LINE = /^(\S+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e-?\d+)?)$/;

/** Tokens that are not words: sentence marks, silence, fillers like [NOISE] or ++UH++. */
function isFiller(token: string): boolean {
  return token === '<s>' || token === '</s>' || token === '<sil>' || /^\[.*\]$/.test(token) || /^\+\+.*\+\+$/.test(token);
}

/**
 * Parse `pocketsphinx_continuous -time yes` stdout: per utterance, one hypothesis line followed by
 * `word start end prob` lines. Alternate pronunciations (`hello(2)`) lose their suffix; fillers are
 * dropped; utterances without words are skipped. Pure.
 */
export function parsePocketsphinxOutput(stdout: string): AsrSegment[] {
  const segments: AsrSegment[] = [];
  let words: AsrWord[] = [];
  const flush = (): void => {
    if (words.length > 0) {
      const first = words[0];
      const last = words[words.length - 1];
      if (first && last) {
        segments.push({ start: first.start, end: last.end, text: words.map((w) => w.word).join(' '), words });
      }
    }
    words = [];
  };
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const m = WORD_LINE.exec(line);
    if (!m) {
      // A hypothesis line (or an empty one) starts the next utterance.
      flush();
      continue;
    }
    const token = (m[1] ?? '').replace(/\(\d+\)$/, '');
    if (isFiller(token)) continue;
    words.push({ word: token, start: Number(m[2]), end: Number(m[3]) });
  }
  flush();
  return segments;
}
