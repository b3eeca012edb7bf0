import type { GapReason, ParticipantNotRecorded, RecordingManifest, StatusDetails } from './manifest.types';

/** Gap reasons that mean "in the call, but not recorded at all" (participant level, see GapReason). */
export const NOT_RECORDED_REASONS: ReadonlySet<GapReason> = new Set<GapReason>(['not-connected', 'negotiating']);

/** Total length of the union of [start, end) intervals. */
function unionMs(intervals: readonly [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * Per participant, the time they were in the call but not recorded, from the manifest's
 * not-connected/negotiating gaps (written once per expected kind: merged here, not double counted).
 * Pure; participants without such gaps are left out.
 */
export function notRecordedSummary(m: RecordingManifest): ParticipantNotRecorded[] {
  const byPerson = new Map<string, { all: [number, number][]; reasons: Map<GapReason, [number, number][]> }>();
  for (const g of m.gaps) {
    if (!NOT_RECORDED_REASONS.has(g.reason) || g.endMs <= g.startMs) continue;
    const e = byPerson.get(g.participantId) ?? { all: [], reasons: new Map<GapReason, [number, number][]>() };
    byPerson.set(g.participantId, e);
    e.all.push([g.startMs, g.endMs]);
    e.reasons.set(g.reason, [...(e.reasons.get(g.reason) ?? []), [g.startMs, g.endMs] as [number, number]]);
  }
  const recorded = new Set(m.segments.map((s) => s.participantId));
  return [...byPerson].map(([participantId, e]) => ({
    participantId,
    name: m.participants.find((p) => p.participantId === participantId)?.name ?? participantId,
    notRecordedMs: unionMs(e.all),
    byReason: Object.fromEntries([...e.reasons].map(([r, xs]) => [r, unionMs(xs)])),
    firstMs: Math.min(...e.all.map(([a]) => a)),
    neverRecorded: !recorded.has(participantId),
  }));
}

/** The status details of a finished recording: complete, or who has holes and how long. */
export function statusDetailsOf(m: RecordingManifest): StatusDetails {
  const notRecorded = notRecordedSummary(m);
  return { complete: notRecorded.length === 0, notRecorded };
}
