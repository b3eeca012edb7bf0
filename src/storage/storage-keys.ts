import { createHash } from 'node:crypto';
import { RecbotError } from '../common/errors';

/**
 * Object keys of a recording (design.md "Object layout"). Every id is validated so that a hostile
 * value (`..`, `/`, control characters, huge length) can never escape `recordings/{id}/`.
 */

/** Safe id: starts alphanumeric, then [A-Za-z0-9._-], at most 128 chars, no `..`. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_ID_LENGTH = 128;
export const RECORDINGS_PREFIX = 'recordings/';
export const TRANSCRIPT_FORMATS = ['json', 'vtt', 'srt', 'txt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** Throws a non-retryable RecbotError (`STORAGE_INVALID_KEY`) unless `value` is a safe id. */
export function assertSafeId(kind: string, value: unknown): string {
  if (typeof value !== 'string' || !SAFE_ID.test(value) || value.includes('..')) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw new RecbotError('STORAGE_INVALID_KEY', `invalid ${kind} ${shown}: must match ${SAFE_ID.source} without '..'`);
  }
  return value;
}

/** True if `value` is usable as an id in keys as-is. */
export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value) && !value.includes('..');
}

/**
 * Map an arbitrary id from the wire (e.g. a signaling participant id) to a safe one. Safe ids are
 * returned unchanged; others get unsafe characters replaced and a short hash of the original
 * appended, so two different raw ids never collide.
 */
export function sanitizeId(raw: string): string {
  if (SAFE_ID.test(raw) && !raw.includes('..')) return raw;
  const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, 10);
  let base = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.{2,}/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100);
  if (base.length > 0 && !base.endsWith('_')) base += '_';
  return `${base}${hash}`;
}

/**
 * Validate a full object key: relative, '/'-separated, no empty/./.. segments, no control
 * characters or backslashes, at most 1024 bytes. Used by the drivers for every key they receive.
 */
export function assertSafeKey(key: unknown): string {
  const bad = (why: string) => new RecbotError('STORAGE_INVALID_KEY', `invalid object key (${why})`);
  if (typeof key !== 'string' || key.length === 0) throw bad('empty');
  if (Buffer.byteLength(key, 'utf8') > 1024) throw bad('longer than 1024 bytes');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw bad('control character or backslash');
  const parts = key.split('/');
  if (parts.some((p, i) => p === '.' || p === '..' || (p === '' && i < parts.length - 1)))
    throw bad('empty, . or .. segment or leading /');
  return key;
}

/** Like assertSafeKey but for list/delete prefixes: empty is allowed, a trailing '/' is allowed. */
export function assertSafePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) || 'x' : prefix);
  return prefix;
}

/** Containers of segments and speaker files (H264 is Matroska: `.mkv`; `.mp4` for PIPELINE_MP4). */
export type KeyContainer = 'webm' | 'mkv' | 'mp4';
const CONTAINERS: readonly string[] = ['webm', 'mkv', 'mp4'];

function container(c: string): KeyContainer {
  if (!CONTAINERS.includes(c)) throw new RecbotError('STORAGE_INVALID_KEY', `invalid container ${JSON.stringify(c.slice(0, 20))}`);
  return c as KeyContainer;
}

/**
 * The one place object keys of a recording are built (design.md "Object layout"). Deterministic,
 * so a retried job writes to the same key.
 */
export const storageKeys = {
  /** `recordings/{id}/` */
  recordingPrefix(recordingId: string): string {
    return `${RECORDINGS_PREFIX}${assertSafeId('recordingId', recordingId)}/`;
  },
  manifest(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}manifest.json`;
  },
  /** `recordings/{id}/segments/` */
  segmentsPrefix(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}segments/`;
  },
  /** `recordings/{id}/segments/{participantId}/{track}/{seq:06}.{webm|mkv}` */
  segment(recordingId: string, participantId: string, track: string, seq: number, ext: string = 'webm'): string {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new RecbotError('STORAGE_INVALID_KEY', `invalid segment sequence ${String(seq)}`);
    }
    const p = assertSafeId('participantId', participantId);
    const t = assertSafeId('track', track);
    return `${storageKeys.segmentsPrefix(recordingId)}${p}/${t}/${String(seq).padStart(6, '0')}.${container(ext)}`;
  },
  /** `recordings/{id}/speakers/{participantId}.{webm|mkv|mp4}` */
  speaker(recordingId: string, participantId: string, ext: KeyContainer = 'webm'): string {
    return `${storageKeys.recordingPrefix(recordingId)}speakers/${assertSafeId('participantId', participantId)}.${container(ext)}`;
  },
  mix(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}mix.webm`;
  },
  /** Per-speaker transcripts (`transcripts/{participantId}.json`): intermediates of transcript.* */
  transcriptPartsPrefix(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}transcripts/`;
  },
  /** `recordings/{id}/transcript.` (every merged transcript format) */
  transcriptPrefix(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}transcript.`;
  },
  transcript(recordingId: string, format: TranscriptFormat): string {
    if (!TRANSCRIPT_FORMATS.includes(format)) {
      throw new RecbotError('STORAGE_INVALID_KEY', `invalid transcript format ${JSON.stringify(format)}`);
    }
    return `${storageKeys.transcriptPrefix(recordingId)}${format}`;
  },
  /** What post-call jobs found (`findings/{job}.json`, staging): merged into the manifest by Publish. */
  jobFindingsPrefix(recordingId: string): string {
    return `${storageKeys.recordingPrefix(recordingId)}findings/`;
  },
  jobFindings(recordingId: string, job: string): string {
    return `${storageKeys.jobFindingsPrefix(recordingId)}${assertSafeId('job', job)}.json`;
  },
};

/** Parse a segment key (`.webm`, or `.mkv` for H264) back into its parts (undefined if it is not one). */
export function parseSegmentKey(
  key: string,
): { recordingId: string; participantId: string; track: string; seq: number } | undefined {
  const m = /^recordings\/([^/]+)\/segments\/([^/]+)\/([^/]+)\/(\d{6,})\.(?:webm|mkv)$/.exec(key);
  if (!m || !isSafeId(m[1]) || !isSafeId(m[2]) || !isSafeId(m[3])) return undefined;
  return { recordingId: m[1], participantId: m[2], track: m[3], seq: Number(m[4]) };
}
