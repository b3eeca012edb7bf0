import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(60_000);

describe('bot in a call (werift peers, real DTLS/SRTP, reference signaling server)', () => {
  let server: SignalingServerHandle;
  let room: TestRoom;
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(() => server.close());
  beforeEach(() => {
    room = new TestRoom(server.url);
  });
  afterEach(() => room.close());

  it('as callee: the host calls it; it records host audio+video and sends its own media back', async () => {
    const host = await room.participant('Host', { host: true });
    const { bot, sinks, signaling } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'video').frames > 30 && sinks.total(host.id, 'audio').packets > 50, 15_000, 'host media at bot');
    const audio = sinks.tracks.find((t) => t.info.kind === 'audio');
    const video = sinks.tracks.find((t) => t.info.kind === 'video');
    expect(audio?.info).toMatchObject({ participantId: host.id, displayName: 'Host', mimeType: 'audio/opus', clockRate: 48_000 });
    expect(video?.info).toMatchObject({ participantId: host.id, mimeType: 'video/VP8', clockRate: 90_000 });
    expect(video?.info.ssrc).toBeGreaterThan(0);
    await waitFor(() => (audio?.senderReports ?? 0) > 0 && (video?.senderReports ?? 0) > 0, 10_000, 'RTCP sender reports');
    await waitFor(() => host.received.total(signaling.selfId, 'video').frames > 5 && host.received.total(signaling.selfId, 'audio').packets > 20, 10_000, 'REC tile and silence at host');
    expect(bot.status().peers).toEqual([expect.objectContaining({ id: host.id, role: 'callee', connection: 'connected' })]);
    await waitFor(() => (bot.status().peers[0]?.heartbeatAgeMs ?? 1e9) < 5000, 6000, 'heartbeat');
    await bot.stop('done');
    expect(audio?.closed && video?.closed).toBe(true);
    await waitFor(() => Object.keys(host.peerStates()).length === 0, 5000, 'host to see LEAVE');
  });

  it('as caller after MAKE_CALL: calls every participant (callee offers, or bot offers after the wait)', async () => {
    const host = await room.participant('Host', { host: true });
    const p1 = await room.participant('Offering guest', { calleeOffers: true });
    const p2 = await room.participant('Quiet guest', { calleeOffers: false });
    await waitFor(() => Object.values(p2.peerStates()).filter((s) => s === 'connected').length === 2, 15_000, 'mesh of 3');
    const { bot, sinks } = await room.bot();
    for (const p of [host, p1, p2]) {
      await waitFor(() => sinks.total(p.id, 'video').frames > 15 && sinks.total(p.id, 'audio').packets > 30, 20_000, `media of ${p.id}`);
    }
    const roles = Object.fromEntries(bot.status().peers.map((p) => [p.id, p.role]));
    expect(roles).toEqual({ [host.id]: 'callee', [p1.id]: 'caller', [p2.id]: 'caller' });
    expect(p1.events.offersSent).toBeGreaterThanOrEqual(2); // to the host... and to the bot
    expect(p2.events.answersSent).toBeGreaterThanOrEqual(1);
  });

  it('reports a muted participant to the sink as pause/resume and keeps recording after unmute', async () => {
    const host = await room.participant('Host', { host: true });
    const { sinks } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'audio').packets > 50, 15_000, 'call');
    host.mute(3500);
    const audio = sinks.tracks.find((t) => t.info.kind === 'audio')!;
    await waitFor(() => audio.pauses === 1, 5000, 'pause');
    const during = audio.packets;
    await waitFor(() => audio.resumes === 1, 5000, 'resume');
    expect(during).toBeGreaterThan(50);
    await waitFor(() => audio.packets > during + 50, 5000, 'media after unmute');
    expect(host.audio.stats.unitsSkipped).toBeGreaterThan(100);
    // The host announced the mute (JOIN audioEnabled:false): the pause is a mute, not an outage.
    expect(audio.pauseReasons).toEqual(['mute']);
  });

  it('a sender that stalls without announcing a mute is an outage', async () => {
    const host = await room.participant('Host', { host: true });
    const { sinks } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'audio').packets > 50, 15_000, 'call');
    host.mute(3500, { announce: false });
    const audio = sinks.tracks.find((t) => t.info.kind === 'audio')!;
    await waitFor(() => audio.resumes === 1, 8000, 'resume');
    expect(audio.pauseReasons).toEqual(['outage']);
  });

  it('follows a full restart (new CALLING) and a remote ICE restart mid-call', async () => {
    const host = await room.participant('Host', { host: true });
    const { sinks } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'video').frames > 15, 15_000, 'first call');
    host.restartCall();
    await waitFor(() => sinks.tracks.filter((t) => t.info.participantId === host.id).length >= 4, 15_000, 'tracks of the new call');
    const fresh = sinks.tracks.slice(2);
    await waitFor(() => fresh.every((t) => t.packets > 20), 10_000, 'media on the restarted call');
    expect(sinks.tracks.slice(0, 2).every((t) => t.closed)).toBe(true);
    // ICE restart by the caller: the bot answers with fresh credentials and media resumes on the
    // same tracks (no escalation to a full restart)
    const before = sinks.total(host.id, 'audio').packets;
    await host.restartIce();
    expect(host.events.iceRestarts).toBe(1);
    await waitFor(() => sinks.total(host.id, 'audio').packets - before > 100, 10_000, 'media after ICE restart');
    expect(sinks.tracks.filter((t) => t.info.participantId === host.id)).toHaveLength(4);
  });
});
