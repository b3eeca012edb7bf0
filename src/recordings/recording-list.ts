import { z } from 'zod';
import { RecbotError } from '../common/errors';
import type { RecordingManifest } from '../manifest/manifest.types';

export const RECORDING_STATUSES = ['pending', 'joining', 'recording', 'processing', 'completed', 'failed', 'deleted'] as const;

const timeParam = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return ms;
  });

/** Query of GET /v1/recordings (every value arrives as a string). `metadata.KEY=VALUE` filters are taken apart separately. */
export const listRecordingsQuerySchema = z
  .object({
    status: z.enum(RECORDING_STATUSES).optional(),
    roomId: z.string().min(1).max(256).optional(),
    createdAfter: timeParam.optional(),
    createdBefore: timeParam.optional(),
    limit: z.string().regex(/^\d+$/, 'must be an integer').transform(Number).pipe(z.number().int().min(1).max(100)).optional(),
    cursor: z.string().max(512).optional(),
  })
  .strict();

export interface RecordingListQuery extends z.output<typeof listRecordingsQuerySchema> {
  metadata: Record<string, string>;
}

/** Validate the query string; unknown parameters and bad values are a 400 naming them. */
export function parseListQuery(query: unknown): RecordingListQuery {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) throw new RecbotError('BAD_REQUEST', `${k}: given more than once`);
    if (k.startsWith('metadata.') && k.length > 9 && k.length <= 73 && typeof v === 'string' && v.length <= 1024) metadata[k.slice(9)] = v;
    else rest[k] = v;
  }
  if (Object.keys(metadata).length > 8) throw new RecbotError('BAD_REQUEST', 'at most 8 metadata filters');
  const r = listRecordingsQuerySchema.safeParse(rest);
  if (!r.success) throw new RecbotError('BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return { ...r.data, metadata };
}

/** Does a recording match the filters? (The created range is applied to the index entry.) */
export function matchesFilters(m: RecordingManifest, q: RecordingListQuery): boolean {
  if (q.status && m.status !== q.status) return false;
  if (q.roomId && m.roomId !== q.roomId) return false;
  const meta = (m.options?.metadata ?? {}) as Record<string, unknown>;
  return Object.entries(q.metadata).every(([k, v]) => meta[k] === v);
}

export function inCreatedRange(createdMs: number, q: Pick<RecordingListQuery, 'createdAfter' | 'createdBefore'>): boolean {
  return (q.createdAfter === undefined || createdMs >= q.createdAfter) && (q.createdBefore === undefined || createdMs < q.createdBefore);
}
