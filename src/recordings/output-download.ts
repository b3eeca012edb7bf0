/**
 * Pure HTTP semantics of output downloads (RFC 9110): one byte range, conditional requests, content
 * types. The controller only moves bytes; everything that decides a status code is here, unit-tested.
 */

export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Parse a Range header against a representation of `size` bytes. A single `bytes=` range is served
 * (first-last, first-, -suffix); a header we do not serve (other units, several ranges, bad syntax)
 * is ignored as RFC 9110 allows, so the client gets the whole file (200).
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  const [a, b] = [m[1] as string, m[2] as string];
  if (a.length > 15 || b.length > 15) return { kind: 'full' };
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return { kind: 'full' }; // syntactically invalid: ignore
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** A strong ETag from the output's MD5 (the manifest records it when the output is published). */
export function etagOf(md5: string): string {
  return `"${md5}"`;
}

/** If-None-Match: true when the client's copy is current (answer 304). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** If-Range: a range request is honoured only when the validator still matches. */
export function rangeAllowed(ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag;
}

const TYPES: Record<string, string> = {
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mp4: 'video/mp4',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

/** Content-Type by extension; a speaker or mix file with audio only is still its container's type. */
export function contentTypeOf(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

/** A Content-Disposition filename for a download: the recording id and the output's name, ASCII only. */
export function downloadFilename(recordingId: string, name: string): string {
  return `${recordingId}-${name.replace(/\//g, '-')}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
