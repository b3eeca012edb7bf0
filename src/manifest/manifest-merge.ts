import { ENDED_STATUSES as ENDED } from './manifest-status';
import type { RecordingManifest } from './manifest.types';

/** Union of two lists by key; on a clash `pick(mine, theirs)` decides. Order: mine first, then theirs' new ones. */
function union<T>(mine: readonly T[], theirs: readonly T[], key: (x: T) => string, pick: (a: T, b: T) => T = (a) => a): T[] {
  const byKey = new Map<string, T>();
  for (const x of mine) byKey.set(key(x), x);
  for (const y of theirs) {
    const k = key(y);
    const x = byKey.get(k);
    byKey.set(k, x === undefined ? y : pick(x, y));
  }
  return [...byKey.values()];
}

/**
 * A recorder's manifest merged with the stored one before it is written back. Normally one part
 * writes at a time, but a recorder that lost its job lock (Redis outage) records on until the part
 * that took over is in the call, and a killed part's last writes may land late: each writer keeps
 * what the other listed (parts, tracks, segments, gaps, participants, outputs, webhook
 * deliveries) instead of overwriting it. On a clash this writer's entry wins, except that an
 * uploaded segment or an ended part/track beats one that is not yet; an ended status in storage
 * is never rolled back.
 */
export function mergeManifest(mine: RecordingManifest, stored: RecordingManifest): RecordingManifest {
  if (stored.recordingId !== mine.recordingId) return mine;
  const statusFromStored = ENDED.has(stored.status) && !ENDED.has(mine.status);
  return {
    ...mine,
    status: statusFromStored ? stored.status : mine.status,
    sessionEndMs: mine.sessionEndMs ?? stored.sessionEndMs,
    statusHistory: union(mine.statusHistory, stored.statusHistory, (s) => `${s.status}/${s.atMs}`).sort((a, b) => a.atMs - b.atMs),
    participants: union(mine.participants, stored.participants, (p) => p.participantId),
    parts: union(mine.parts, stored.parts, (p) => `${p.part}/${p.botId}`, (a, b) => (a.endedMs === undefined && b.endedMs !== undefined ? b : a)),
    tracks: union(mine.tracks, stored.tracks, (t) => `${t.participantId}/${t.trackKey}/${t.part}`, (a, b) => (a.endedMs === undefined && b.endedMs !== undefined ? b : a)),
    segments: union(
      mine.segments, stored.segments, (s) => `${s.participantId}/${s.trackKey}/${s.part}/${s.seq}`,
      (a, b) => (a.uploadedMs === undefined && b.uploadedMs !== undefined ? b : a),
    ),
    gaps: union(mine.gaps, stored.gaps, (g) => `${g.participantId}/${g.trackKey}/${g.startMs}/${g.endMs}/${g.reason}`),
    outputs: union(mine.outputs, stored.outputs, (o) => o.key),
    webhooks: union(mine.webhooks, stored.webhooks, (w) => JSON.stringify(w)),
  };
}
