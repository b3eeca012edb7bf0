/** A stretch of silence found by ffmpeg's silencedetect, in seconds from the file start. */
export interface Silence {
  start: number;
  end: number;
}

/** One piece of a speaker's audio to send on its own. */
export interface ChunkSpan {
  index: number;
  start: number;
  end: number;
}

/**
 * Parse ffmpeg `silencedetect` stderr. A silence still open at the end of the input runs to `durationSec`. Pure.
 */
export function parseSilenceDetect(stderr: string, durationSec: number): Silence[] {
  const out: Silence[] = [];
  let open: number | undefined;
  for (const line of stderr.split('\n')) {
    const s = /silence_start: (-?[\d.]+)/.exec(line);
    if (s) {
      open = Math.max(0, Number(s[1]));
      continue;
    }
    const e = /silence_end: (-?[\d.]+)/.exec(line);
    if (e && open !== undefined) {
      out.push({ start: open, end: Math.min(durationSec, Number(e[1])) });
      open = undefined;
    }
  }
  if (open !== undefined && open < durationSec) out.push({ start: open, end: durationSec });
  return out;
}

export interface ChunkPlanOptions {
  /** Hard upper bound for one chunk (derived from the byte limit and the encoding bitrate). */
  maxChunkSec: number;
  /** Silences at least this long are cut out and never sent (Whisper invents words on long silence). */
  skipSilenceSec: number;
  /** Audio kept on each side of a cut, so word edges are not clipped. */
  padSec: number;
}

/**
 * Cut a speaker's audio into chunks at silences: speech stretches separated by long silences become
 * separate chunks (the silence is skipped); a stretch longer than `maxChunkSec` is cut at the latest
 * silence that fits, else hard at the limit. All-silent audio gives no chunks. Pure.
 */
export function planChunks(durationSec: number, silences: Silence[], opts: ChunkPlanOptions): ChunkSpan[] {
  const sil = [...silences].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  // Speech stretches = complement of the long silences.
  const stretches: { start: number; end: number }[] = [];
  let cursor = 0;
  for (const s of sil) {
    const isEdge = s.start <= 0.01 || s.end >= durationSec - 0.01;
    if (s.end - s.start < Math.max(opts.skipSilenceSec, 2 * opts.padSec) && !isEdge) continue;
    if (s.start > cursor) stretches.push({ start: cursor, end: s.start });
    cursor = Math.max(cursor, s.end);
  }
  if (cursor < durationSec) stretches.push({ start: cursor, end: durationSec });

  const spans: { start: number; end: number }[] = [];
  for (const st of stretches) {
    let start = Math.max(0, st.start - opts.padSec);
    const end = Math.min(durationSec, st.end + opts.padSec);
    while (end - start > opts.maxChunkSec) {
      const limit = start + opts.maxChunkSec;
      const minCut = start + opts.maxChunkSec / 2;
      const inner = sil.filter((s) => (s.start + s.end) / 2 > minCut && (s.start + s.end) / 2 < limit);
      const best = inner[inner.length - 1];
      const cut = best ? (best.start + best.end) / 2 : limit;
      spans.push({ start, end: cut });
      start = cut;
    }
    if (end - start > 0.05) spans.push({ start, end });
  }
  return spans.map((s, index) => ({ index, start: round(s.start), end: round(s.end) }));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
