import { mergeManifest } from './manifest-merge';
import { newManifest } from './manifest-store';
import type { ManifestSegment, RecordingManifest } from './manifest.types';

function seg(part: number, seq: number, uploaded?: number): ManifestSegment {
  return {
    participantId: 'p1', trackKey: 'audio', seq, part, container: 'webm', localPath: `/spool/${seq}.webm`, size: 10, frames: 250, keyframes: 250,
    timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 1, firstArrivalMs: seq * 5000, lastArrivalMs: seq * 5000 + 4980, durationMs: 5000 }, closedMs: seq * 5000 + 5000,
    ...(uploaded ? { uploadedMs: uploaded, key: `recordings/r1/segments/p1/audio/${String(seq).padStart(6, '0')}.webm` } : {}),
  };
}

function manifest(over: Partial<RecordingManifest>): RecordingManifest {
  return { ...newManifest({ recordingId: 'r1', roomId: 'room', sessionStartMs: 1000 }), ...over };
}

describe('mergeManifest (two writers of one recording keep each other\'s entries)', () => {
  it('keeps the other part\'s segments, parts and tracks; an uploaded entry beats a pending one', () => {
    const mine = manifest({
      status: 'recording',
      parts: [{ part: 1, botId: 'a', startedMs: 1 }],
      tracks: [{ trackKey: 'audio', participantId: 'p1', kind: 'audio', codec: 'audio/opus', clockRate: 48000, part: 1, startedMs: 1 }],
      segments: [seg(1, 1, 10), seg(1, 2), seg(1, 3, 30)],
    });
    const stored = manifest({
      status: 'recording',
      parts: [{ part: 1, botId: 'a', startedMs: 1, endedMs: 9 }, { part: 2, botId: 'b', startedMs: 8 }],
      tracks: [{ trackKey: 'audio', participantId: 'p1', kind: 'audio', codec: 'audio/opus', clockRate: 48000, part: 2, startedMs: 8 }],
      segments: [seg(1, 1, 10), seg(1, 2, 20), seg(2, 4, 40)],
    });
    const m = mergeManifest(mine, stored);
    expect(m.segments.map((s) => `${s.part}/${s.seq}/${s.uploadedMs ?? '-'}`).sort()).toEqual(['1/1/10', '1/2/20', '1/3/30', '2/4/40']);
    expect(m.parts).toEqual([{ part: 1, botId: 'a', startedMs: 1, endedMs: 9 }, { part: 2, botId: 'b', startedMs: 8 }]);
    expect(m.tracks.map((t) => t.part)).toEqual([1, 2]);
  });

  it('never rolls an ended status back and keeps webhook deliveries and outputs written by others', () => {
    const mine = manifest({ status: 'recording', statusHistory: [{ status: 'recording', atMs: 5 }] });
    const delivery = { event: 'recording.started', url: 'http://hook', webhookId: 'w1', attempt: 1, ok: true, atMs: 6 };
    const stored = manifest({
      status: 'processing', sessionEndMs: 99, statusHistory: [{ status: 'recording', atMs: 5 }, { status: 'processing', atMs: 99 }],
      webhooks: [delivery], outputs: [{ kind: 'mix', key: 'recordings/r1/mix.webm', size: 1, md5: 'x', createdMs: 100 }],
    });
    const m = mergeManifest(mine, stored);
    expect(m.status).toBe('processing');
    expect(m.sessionEndMs).toBe(99);
    expect(m.statusHistory.map((s) => s.status)).toEqual(['recording', 'processing']);
    expect(m.webhooks).toEqual([delivery]);
    expect(m.outputs.map((o) => o.key)).toEqual(['recordings/r1/mix.webm']);
    expect(mergeManifest(manifest({ status: 'recording' }), manifest({ status: 'recording' })).status).toBe('recording');
  });

  it('ignores a stored manifest of another recording', () => {
    const mine = manifest({ segments: [seg(1, 1)] });
    expect(mergeManifest(mine, { ...manifest({ segments: [seg(1, 9)] }), recordingId: 'other' })).toBe(mine);
  });
});
