import type { SpeakerTranscript, Transcript, Utterance } from './transcript.types';

/**
 * Merge per-speaker transcripts by time. Attribution comes from track ownership, so every
 * utterance keeps its speaker; overlapping speech stays as separate utterances ordered by start.
 */
export function mergeTranscripts(speakers: SpeakerTranscript[], opts: { recordingId?: string } = {}): Transcript {
  const utterances: Utterance[] = [];
  for (const s of speakers) {
    for (const u of s.utterances) {
      if (u.text.trim() === '') continue;
      utterances.push({ ...u, speakerId: s.speakerId, speakerName: s.speakerName, text: u.text.trim() });
    }
  }
  utterances.sort(
    (a, b) => a.start - b.start || a.end - b.end || a.speakerId.localeCompare(b.speakerId),
  );
  const language = speakers.find((s) => s.language)?.language;
  return {
    version: 1,
    ...(opts.recordingId ? { recordingId: opts.recordingId } : {}),
    ...(language ? { language } : {}),
    speakers: speakers.map((s) => ({ speakerId: s.speakerId, speakerName: s.speakerName })),
    utterances,
  };
}

/** `HH:MM:SS.mmm` (sep '.') or `HH:MM:SS,mmm` (sep ','). Negative times clamp to zero. */
export function formatTimestamp(seconds: number, sep: '.' | ',' = '.'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${String(ms).padStart(3, '0')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Cue end never before its start (players reject such cues). */
function cueEnd(u: Utterance): number {
  return Math.max(u.end, u.start + 0.001);
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** WebVTT with one cue per utterance and a `<v Name>` voice tag. */
export function toVtt(t: Transcript): string {
  const cues = t.utterances.map((u, i) => {
    const name = escapeVtt(u.speakerName).replace(/\n/g, ' ');
    return `${i + 1}\n${formatTimestamp(u.start)} --> ${formatTimestamp(cueEnd(u))}\n<v ${name}>${escapeVtt(u.text)}</v>\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}

/** SubRip with the speaker name prefixed to each cue. */
export function toSrt(t: Transcript): string {
  return t.utterances
    .map(
      (u, i) =>
        `${i + 1}\n${formatTimestamp(u.start, ',')} --> ${formatTimestamp(cueEnd(u), ',')}\n${u.speakerName}: ${u.text}\n`,
    )
    .join('\n');
}

/** Plain text, one line per utterance: `[00:01:02] Name: text`. */
export function toTxt(t: Transcript): string {
  return t.utterances
    .map((u) => `[${formatTimestamp(u.start).slice(0, 8)}] ${u.speakerName}: ${u.text}\n`)
    .join('');
}

/** All four transcript files, keyed by extension (json, vtt, srt, txt). */
export function renderTranscriptFiles(t: Transcript): Record<'json' | 'vtt' | 'srt' | 'txt', string> {
  return { json: `${JSON.stringify(t, null, 2)}\n`, vtt: toVtt(t), srt: toSrt(t), txt: toTxt(t) };
}
