import type { LifecycleRule, Tag, TransitionStorageClass } from '@aws-sdk/client-s3';
import { RECORDINGS_PREFIX } from './storage-keys';

/**
 * recbot's bucket lifecycle, as pure functions. S3 lifecycle filters match key prefixes and tags
 * (no wildcards), so the stage of an object is carried by a tag:
 *   - `recbot-stage=segment`  a segment still needed (never expired by the staging rule)
 *   - `recbot-stage=staging`  a segment whose outputs are published: expires after STAGING_EXPIRE_DAYS
 *                             (counted from upload, so usually right at the next lifecycle run)
 *   - `recbot-stage=output`   a published output: moves to COLD_STORAGE_CLASS after COLD_TRANSITION_DAYS
 * Everything under `recordings/` expires after RETENTION_DAYS. A recording tagged
 * `recbot-retention-days=N` also matches rule `recbot-retention-N`; where expiration rules overlap,
 * S3 applies the earliest, so per-recording retention can shorten (never extend) the bucket's;
 * keep a recording longer with Object Lock or a larger RETENTION_DAYS.
 */
export const STAGE_TAG = 'recbot-stage';
export const RETENTION_TAG = 'recbot-retention-days';
export type StageTagValue = 'segment' | 'staging' | 'output';

/** Rule ids recbot owns start with this; other rules in the bucket are left alone. */
export const RULE_ID_PREFIX = 'recbot-';
const RETENTION_RULE_RE = /^recbot-retention-(\d+)$/;

export interface LifecyclePolicy {
  retentionDays: number;
  stagingExpireDays: number;
  /** 0 disables the transition. */
  coldTransitionDays: number;
  coldStorageClass: string;
  /** Per-recording retention values to have rules for (deduplicated). */
  perRecordingRetentionDays?: number[];
}

/** Tags for an object in a stage (merge with retentionTags for per-recording retention). */
export function stageTags(stage: StageTagValue): Record<string, string> {
  return { [STAGE_TAG]: stage };
}

/** The per-recording retention tag. */
export function retentionTags(days: number): Record<string, string> {
  assertDays('retention days', days, 1);
  return { [RETENTION_TAG]: String(days) };
}

function assertDays(what: string, days: number, min: number): void {
  if (!Number.isSafeInteger(days) || days < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${days}`);
}

const tagFilter = (key: string, value: string): LifecycleRule['Filter'] => ({
  And: { Prefix: RECORDINGS_PREFIX, Tags: [{ Key: key, Value: value }] },
});

/** The rule for one per-recording retention value. */
export function retentionRule(days: number): LifecycleRule {
  assertDays('retention days', days, 1);
  return {
    ID: `recbot-retention-${days}`,
    Status: 'Enabled',
    Filter: tagFilter(RETENTION_TAG, String(days)),
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: 1 },
  };
}

/** Build recbot's lifecycle rules (pure; order is stable). */
export function buildLifecycleRules(p: LifecyclePolicy): LifecycleRule[] {
  assertDays('RETENTION_DAYS', p.retentionDays, 1);
  assertDays('STAGING_EXPIRE_DAYS', p.stagingExpireDays, 1);
  assertDays('COLD_TRANSITION_DAYS', p.coldTransitionDays, 0);
  const rules: LifecycleRule[] = [
    {
      ID: 'recbot-staging-expire',
      Status: 'Enabled',
      Filter: tagFilter(STAGE_TAG, 'staging'),
      Expiration: { Days: p.stagingExpireDays },
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    },
  ];
  if (p.coldTransitionDays > 0) {
    rules.push({
      ID: 'recbot-cold-transition',
      Status: 'Enabled',
      Filter: tagFilter(STAGE_TAG, 'output'),
      Transitions: [{ Days: p.coldTransitionDays, StorageClass: p.coldStorageClass as TransitionStorageClass }],
    });
  }
  rules.push({
    ID: 'recbot-retention',
    Status: 'Enabled',
    Filter: { Prefix: RECORDINGS_PREFIX },
    Expiration: { Days: p.retentionDays },
    NoncurrentVersionExpiration: { NoncurrentDays: 1 },
  });
  const perRecording = [...new Set(p.perRecordingRetentionDays ?? [])].sort((a, b) => a - b);
  for (const d of perRecording) rules.push(retentionRule(d));
  rules.push({
    ID: 'recbot-abort-multipart',
    Status: 'Enabled',
    Filter: { Prefix: '' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
  });
  return rules;
}

/**
 * Merge desired recbot rules into a bucket's existing rules: foreign rules (ids not starting with
 * `recbot-`) and existing per-recording retention rules are kept; other recbot rules are replaced.
 */
export function mergeLifecycleRules(existing: LifecycleRule[], desired: LifecycleRule[]): LifecycleRule[] {
  const desiredIds = new Set(desired.map((r) => r.ID));
  const kept = existing.filter((r) => {
    const id = r.ID ?? '';
    if (!id.startsWith(RULE_ID_PREFIX)) return true;
    return RETENTION_RULE_RE.test(id) && !desiredIds.has(id);
  });
  return [...kept, ...desired];
}

/** Canonical form of a rule for comparison (S3 servers re-shape filters when returning them). */
export function canonicalRule(r: LifecycleRule): string {
  const f = r.Filter;
  const prefix = f?.And?.Prefix ?? f?.Prefix ?? r.Prefix ?? '';
  const tags: Tag[] = [...(f?.And?.Tags ?? []), ...(f?.Tag ? [f.Tag] : [])];
  const t = tags.map((x) => `${x.Key}=${x.Value}`).sort();
  return JSON.stringify({
    id: r.ID,
    status: r.Status,
    prefix,
    t,
    exp: r.Expiration?.Days,
    nc: r.NoncurrentVersionExpiration?.NoncurrentDays,
    tr: (r.Transitions ?? []).map((x) => `${x.Days}:${x.StorageClass}`),
    mpu: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  });
}

/** True if two rule sets are the same up to order and filter shape. */
export function sameRules(a: LifecycleRule[], b: LifecycleRule[]): boolean {
  const ca = a.map(canonicalRule).sort();
  const cb = b.map(canonicalRule).sort();
  return ca.length === cb.length && ca.every((x, i) => x === cb[i]);
}

/** Object Lock retain-until for an output written at `now`, or undefined when lock is off. */
export function outputRetainUntil(
  lock: { mode: 'none' | 'GOVERNANCE' | 'COMPLIANCE'; days: number },
  now: Date = new Date(),
): Date | undefined {
  if (lock.mode === 'none' || lock.days <= 0) return undefined;
  return new Date(now.getTime() + lock.days * 86_400_000);
}
