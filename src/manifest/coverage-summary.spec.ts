import { newManifest } from './manifest-store';
import { notRecordedSummary, statusDetailsOf } from './coverage-summary';
import type { ManifestGap, RecordingManifest } from './manifest.types';

function manifest(gaps: ManifestGap[]): RecordingManifest {
  const m = newManifest({ recordingId: 'r1', roomId: 'room', sessionStartMs: 0 });
  m.participants.push({ participantId: 'A', name: 'Alice', firstSeenMs: 0 }, { participantId: 'C', name: 'Carol', firstSeenMs: 0 });
  m.gaps.push(...gaps);
  return m;
}
const gap = (participantId: string, trackKey: string, startMs: number, endMs: number, reason: ManifestGap['reason']): ManifestGap => ({ participantId, trackKey, startMs, endMs, reason });

describe('notRecordedSummary / statusDetailsOf', () => {
  it('merges the per-kind copies of a participant-level gap and sums by reason', () => {
    const m = manifest([
      gap('C', 'audio', 1000, 4000, 'not-connected'), gap('C', 'video', 1000, 4000, 'not-connected'),
      gap('C', 'audio', 4000, 5500, 'negotiating'), gap('C', 'video', 4000, 5500, 'negotiating'),
      gap('A', 'audio', 2000, 2500, 'loss'), // media gaps are not "not recorded"
    ]);
    expect(notRecordedSummary(m)).toEqual([
      { participantId: 'C', name: 'Carol', notRecordedMs: 4500, byReason: { 'not-connected': 3000, negotiating: 1500 }, firstMs: 1000, neverRecorded: true },
    ]);
    expect(statusDetailsOf(m).complete).toBe(false);
  });

  it('is complete when nobody has such gaps', () => {
    expect(statusDetailsOf(manifest([gap('A', 'video', 0, 10, 'mute')]))).toEqual({ complete: true, notRecorded: [] });
  });
});
