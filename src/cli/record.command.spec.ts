import { progressLine, recordSummary, runRecordCommand } from './record.command';
import { newManifest } from '../manifest/manifest-store';

describe('recbot record', () => {
  it('renders the live progress line', () => {
    const line = progressLine({ state: 'in-room', participants: 2, tracks: 4, kbpsIn: 812.6, segments: 7, uploaded: 5, elapsedS: 42.4 });
    expect(line).toBe('  42 s  in-room  participants 2  tracks 4  in 813 kbps  segments 7 written / 5 uploaded');
  });

  it('summarises the recording with the segments table and the files directory', () => {
    const m = newManifest({ recordingId: 'r1', roomId: 'room-9', sessionStartMs: 0 });
    m.participants.push({ participantId: 'p1', name: 'Ann', firstSeenMs: 0 });
    m.tracks.push({ trackKey: 'audio', participantId: 'p1', kind: 'audio', codec: 'audio/opus', clockRate: 48000, part: 1, startedMs: 0 });
    m.segments.push({
      participantId: 'p1', trackKey: 'audio', seq: 1, part: 1, container: 'webm', key: 'k', size: 2_000_000, md5: 'x', frames: 250, keyframes: 250,
      timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 1, firstArrivalMs: 0, lastArrivalMs: 5000, durationMs: 5000 }, closedMs: 1, uploadedMs: 2,
    });
    const text = recordSummary({ recordingId: 'r1', stopReason: 'empty-room', manifest: m, recordingDir: '/out/recordings/r1' });
    expect(text).toMatch(/r1\s+room-9\s+empty-room\s+1\s+1/);
    expect(text).toMatch(/Ann\s+audio\s+audio\/opus\s+1\s+5\.0\s+250\s+2\.00\s+1/);
    expect(text).toMatch(/Files: \/out\/recordings\/r1/);
  });

  it('rejects missing or bad arguments before doing anything', async () => {
    await expect(runRecordCommand(['--room', 'x'], {})).rejects.toThrow(/--signal/);
    await expect(runRecordCommand(['--signal', 'ftp://x', '--room', 'x'], {})).rejects.toThrow(/--signal/);
    await expect(runRecordCommand(['--signal', 'http://127.0.0.1:1'], {})).rejects.toThrow(/--room/);
    await expect(runRecordCommand(['--signal', 'http://127.0.0.1:1', '--room', 'x', '--duration', '0'], {})).rejects.toThrow(/--duration/);
  });
});
