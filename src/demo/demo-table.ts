import type { RecordingManifest } from '../manifest/manifest.types';

/** Render rows as a fixed-width text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const sec = (ms: number) => (ms / 1000).toFixed(1);

/** Segments written per speaker and track: count, media seconds, bytes, recovered, upload state. */
export function segmentTable(m: RecordingManifest): string {
  const name = (pid: string) => m.participants.find((p) => p.participantId === pid)?.name ?? pid;
  const groups = new Map<string, RecordingManifest['segments']>();
  for (const s of m.segments) {
    const k = `${s.participantId}\u0000${s.trackKey}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const rows = [...groups.entries()].map(([k, segs]) => {
    const [pid = '', track = ''] = k.split('\u0000');
    const codec = m.tracks.find((t) => t.participantId === pid && t.trackKey === track)?.codec ?? '';
    return [
      name(pid),
      track,
      codec,
      segs.length,
      sec(segs.reduce((a, s) => a + s.timeline.durationMs, 0)),
      segs.reduce((a, s) => a + s.frames, 0),
      mb(segs.reduce((a, s) => a + (s.size ?? 0), 0)),
      segs.filter((s) => s.uploadedMs).length,
    ];
  });
  return table(['speaker', 'track', 'codec', 'segments', 'media s', 'frames', 'MB', 'uploaded'], rows);
}

/** Published outputs: kind, speaker, duration, size, key. */
export function outputTable(m: RecordingManifest): string {
  const name = (pid?: string) => (pid ? (m.participants.find((p) => p.participantId === pid)?.name ?? pid) : '');
  const rows = m.outputs.map((o) => [o.kind, name(o.participantId), o.durationMs !== undefined ? sec(o.durationMs) : '', mb(o.size), o.key]);
  return table(['output', 'speaker', 'duration s', 'MB', 'key'], rows);
}
