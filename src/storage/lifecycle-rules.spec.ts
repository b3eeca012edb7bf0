import type { LifecycleRule } from '@aws-sdk/client-s3';
import {
  buildLifecycleRules,
  canonicalRule,
  mergeLifecycleRules,
  outputRetainUntil,
  retentionRule,
  retentionTags,
  sameRules,
  stageTags,
} from './lifecycle-rules';

const policy = { retentionDays: 3650, stagingExpireDays: 7, coldTransitionDays: 0, coldStorageClass: 'STANDARD_IA' };
const byId = (rules: LifecycleRule[], id: string) => rules.find((r) => r.ID === id);

describe('buildLifecycleRules', () => {
  it('expires staging-tagged segments, everything after retention, and aborts stale multipart uploads', () => {
    const rules = buildLifecycleRules(policy);
    expect(rules.map((r) => r.ID)).toEqual(['recbot-staging-expire', 'recbot-retention', 'recbot-abort-multipart']);
    expect(byId(rules, 'recbot-staging-expire')).toMatchObject({
      Status: 'Enabled',
      Filter: { And: { Prefix: 'recordings/', Tags: [{ Key: 'recbot-stage', Value: 'staging' }] } },
      Expiration: { Days: 7 },
    });
    expect(byId(rules, 'recbot-retention')).toMatchObject({ Filter: { Prefix: 'recordings/' }, Expiration: { Days: 3650 } });
    expect(byId(rules, 'recbot-abort-multipart')).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
    expect(rules.every((r) => r.ID !== 'recbot-cold-transition')).toBe(true);
  });

  it('adds a cold transition for outputs when COLD_TRANSITION_DAYS > 0', () => {
    const rules = buildLifecycleRules({ ...policy, coldTransitionDays: 30, coldStorageClass: 'GLACIER_IR' });
    expect(byId(rules, 'recbot-cold-transition')).toMatchObject({
      Filter: { And: { Tags: [{ Key: 'recbot-stage', Value: 'output' }] } },
      Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' }],
    });
  });

  it('adds one rule per distinct per-recording retention value', () => {
    const rules = buildLifecycleRules({ ...policy, perRecordingRetentionDays: [90, 30, 90] });
    expect(rules.filter((r) => r.ID?.startsWith('recbot-retention-')).map((r) => r.ID)).toEqual([
      'recbot-retention-30',
      'recbot-retention-90',
    ]);
    expect(retentionRule(30)).toMatchObject({
      Filter: { And: { Tags: [{ Key: 'recbot-retention-days', Value: '30' }] } },
      Expiration: { Days: 30 },
    });
  });

  it('rejects nonsense day counts', () => {
    expect(() => buildLifecycleRules({ ...policy, retentionDays: 0 })).toThrow(RangeError);
    expect(() => buildLifecycleRules({ ...policy, stagingExpireDays: 1.5 })).toThrow(RangeError);
    expect(() => retentionTags(-1)).toThrow(RangeError);
  });
});

describe('mergeLifecycleRules / sameRules', () => {
  const foreign: LifecycleRule = { ID: 'ops-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 3 } };

  it('keeps foreign rules and existing per-recording rules, replaces other recbot rules', () => {
    const old = { ...buildLifecycleRules({ ...policy, stagingExpireDays: 3 })[0]! };
    const merged = mergeLifecycleRules([foreign, old, retentionRule(14)], buildLifecycleRules(policy));
    expect(merged.map((r) => r.ID)).toEqual([
      'ops-logs',
      'recbot-retention-14',
      'recbot-staging-expire',
      'recbot-retention',
      'recbot-abort-multipart',
    ]);
    expect(byId(merged, 'recbot-staging-expire')?.Expiration?.Days).toBe(7);
  });

  it('is idempotent and insensitive to how a server re-shapes filters', () => {
    const once = mergeLifecycleRules([foreign], buildLifecycleRules(policy));
    const twice = mergeLifecycleRules(once, buildLifecycleRules(policy));
    expect(sameRules(once, twice)).toBe(true);
    // Ceph RGW returns a one-tag And filter as { Prefix, Tag } and a prefix filter at the top level.
    const reshaped = once.map((r): LifecycleRule => {
      const tags = r.Filter?.And?.Tags;
      if (tags?.length === 1) return { ...r, Filter: { Prefix: r.Filter?.And?.Prefix, Tag: tags[0] } };
      if (r.Filter?.Prefix !== undefined) return { ...r, Filter: undefined, Prefix: r.Filter.Prefix };
      return r;
    });
    expect(sameRules(reshaped.reverse(), once)).toBe(true);
    expect(sameRules(once, buildLifecycleRules({ ...policy, retentionDays: 10 }))).toBe(false);
    expect(canonicalRule(once[0]!)).toContain('ops-logs');
  });
});

describe('tags and object lock', () => {
  it('builds stage and retention tags', () => {
    expect(stageTags('staging')).toEqual({ 'recbot-stage': 'staging' });
    expect(retentionTags(30)).toEqual({ 'recbot-retention-days': '30' });
  });
  it('computes retain-until only when object lock is on', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(outputRetainUntil({ mode: 'none', days: 10 }, now)).toBeUndefined();
    expect(outputRetainUntil({ mode: 'COMPLIANCE', days: 0 }, now)).toBeUndefined();
    expect(outputRetainUntil({ mode: 'GOVERNANCE', days: 10 }, now)?.toISOString()).toBe('2026-01-11T00:00:00.000Z');
  });
});
