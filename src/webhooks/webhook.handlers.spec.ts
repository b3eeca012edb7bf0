import { webhookPayloadFromManifest } from './webhook.handlers';

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
});
