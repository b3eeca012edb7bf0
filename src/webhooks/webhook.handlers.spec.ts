import { parseSegmentKey, webhookPayloadFromManifest } from './webhook.handlers';

describe('webhookPayloadFromManifest', () => {
  const m = {
    version: 1,
    recordingId: 'r1',
    roomId: 'room',
    status: 'completed',
    sessionStartMs: 1000,
    sessionEndMs: 5000,
    participants: [{ participantId: 'p1', name: 'Ann', firstSeenMs: 1000 }],
    tracks: [],
    segments: [],
    gaps: [],
    parts: [],
    outputs: [
      { kind: 'speaker', participantId: 'p1', key: 'recordings/r1/speakers/p1.webm', size: 10, md5: 'x', format: 'webm', createdMs: 1 },
      { kind: 'transcript', key: 'recordings/r1/transcript.json', size: 5, md5: 'y', format: 'json', createdMs: 1 },
    ],
    statusHistory: [
      { status: 'recording', atMs: 1000 },
      { status: 'completed', atMs: 6000 },
    ],
    webhooks: [],
  } as const;

  it('builds event data with outputs and the event time, never md5s or local paths', () => {
    const p = webhookPayloadFromManifest(structuredClone(m) as never, 'recording.completed');
    expect(p.occurredMs).toBe(6000);
    expect(p.data).toMatchObject({ recordingId: 'r1', status: 'completed', participants: [{ participantId: 'p1', name: 'Ann' }] });
    expect((p.data.outputs as unknown[]).length).toBe(2);
    expect(JSON.stringify(p.data)).not.toContain('md5');
    const t = webhookPayloadFromManifest(structuredClone(m) as never, 'transcript.completed');
    expect((t.data.outputs as { kind: string }[]).map((o) => o.kind)).toEqual(['transcript']);
    expect(webhookPayloadFromManifest(structuredClone(m) as never, 'recording.started').occurredMs).toBe(1000);
  });

  it('lists the fixed transcript keys for transcript.completed before Publish recorded them', () => {
    const early = { ...structuredClone(m), status: 'processing', outputs: [] };
    const t = webhookPayloadFromManifest(early as never, 'transcript.completed');
    expect((t.data.outputs as { key: string }[]).map((o) => o.key)).toEqual(
      ['json', 'vtt', 'srt', 'txt'].map((f) => `recordings/r1/transcript.${f}`),
    );
  });

  it('describes a stored segment from the manifest, or from its key when the manifest lags', () => {
    const key = 'recordings/r1/segments/p1/audio/000003.webm';
    expect(parseSegmentKey(key)).toEqual({ participantId: 'p1', trackKey: 'audio', seq: 3 });
    expect(parseSegmentKey('recordings/r1/mix.webm')).toBeUndefined();
    const lag = webhookPayloadFromManifest(structuredClone(m) as never, 'recording.segment_stored', key);
    expect(lag.data.segment).toEqual({ key, participantId: 'p1', trackKey: 'audio', seq: 3 });
    const seg = {
      participantId: 'p1', trackKey: 'audio', seq: 3, part: 1, container: 'webm', key, size: 99, md5: 'z', frames: 10, keyframes: 10,
      timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 1, firstArrivalMs: 1, lastArrivalMs: 2, durationMs: 5000 }, closedMs: 7, uploadedMs: 8,
    };
    const known = webhookPayloadFromManifest({ ...structuredClone(m), segments: [seg] } as never, 'recording.segment_stored', key);
    expect(known.occurredMs).toBe(8);
    expect(known.data.segment).toMatchObject({ key, seq: 3, size: 99, durationMs: 5000 });
    expect(JSON.stringify(known.data)).not.toContain('md5');
  });
});
