/**
 * Issue 18: a forced negotiation failure is a labelled gap, never padding without a reason. A guest
 * whose every SDP to the bot carries a wrong DTLS fingerprint (ICE connects, DTLS fails) is in the
 * call the whole time: the bot reports it as a hole while it lasts and closes it as labelled gaps
 * (`negotiating`, and `not-connected` while the bot's own full restarts go unanswered) spanning its
 * whole presence; the host is recorded as usual. Real werift peers,
 * real DTLS/SRTP, the reference signaling server.
 */
import type { CoverageGap } from '../../src/bot/call-presence';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(90_000);

describe('forced negotiation failure (werift peers, wrong DTLS fingerprint towards the bot)', () => {
  let server: SignalingServerHandle;
  let room: TestRoom;
  beforeAll(async () => {
    server = await startSignalingServer({});
    room = new TestRoom(server.url);
  });
  afterAll(async () => {
    await room.close();
    await server.close();
  });

  it('the guest is a hole while in the call and labelled gaps (negotiating / not-connected) over its whole presence; the host is recorded', async () => {
    const host = await room.participant('Host', { host: true, participantId: 'host-1' });
    const guest = await room.participant('Broken guest', { participantId: 'guest-1', calleeOffers: true, breakSdpTo: 'recbot-' });
    await waitFor(() => guest.peerStates()[host.id] === 'connected', 20_000, 'host and guest connected').catch((e) => { throw new Error(`${String(e)}: ${host.id} ${JSON.stringify(guest.peerStates())} ${JSON.stringify(host.peerStates())}`); });
    const { bot, sinks } = await room.bot();
    const joinedAt = Date.now();
    const gaps: CoverageGap[] = [];
    bot.on('coverageGap', (g: CoverageGap) => gaps.push(g));
    await waitFor(() => sinks.total(host.id, 'audio').packets > 50 && sinks.total(host.id, 'video').frames > 15, 20_000, 'host recorded');
    // The guest is in the call (with the host) and called by the bot; its media never arrives.
    await waitFor(() => bot.status().coverage!.holes.some((h) => h.participantId === guest.id && h.reason === 'negotiating'), 20_000, 'negotiating hole for the guest');
    const hole = bot.status().coverage!.holes.find((h) => h.participantId === guest.id)!;
    await new Promise((r) => setTimeout(r, 8000)); // through the bot's recovery (its peer to the guest fails)
    // still a hole: 'negotiating', or 'not-connected' while the bot's full restart (new CALLING) is unanswered
    expect(['negotiating', 'not-connected']).toContain(bot.status().coverage!.holes.find((h) => h.participantId === guest.id)?.reason);
    expect(sinks.total(guest.id, 'audio').packets + sinks.total(guest.id, 'video').frames).toBe(0);
    const leftAt = Date.now();
    await guest.leave();
    await waitFor(() => gaps.some((g) => g.participantId === guest.id), 10_000, 'gap closed at LEAVE');
    const mine = gaps.filter((g) => g.participantId === guest.id);
    console.log(`guest gaps (ms after the bot joined): ${JSON.stringify(mine.map((g) => ({ ...g, startMs: g.startMs - joinedAt, endMs: g.endMs - joinedAt })))}; hole seen since +${hole.sinceMs - joinedAt} ms`);
    // Every second of the guest's presence since the bot joined is a labelled gap: no media, no hole.
    const start = Math.min(...mine.map((g) => g.startMs));
    const end = Math.max(...mine.map((g) => g.endMs));
    expect(start - joinedAt).toBeLessThanOrEqual(1000);
    expect(Math.abs(end - leftAt)).toBeLessThanOrEqual(1500);
    expect(mine.every((g) => g.reason === 'negotiating' || g.reason === 'not-connected')).toBe(true);
    expect(mine.some((g) => g.reason === 'negotiating')).toBe(true);
    const covered = mine.reduce((n, g) => n + (g.endMs - g.startMs), 0);
    expect(covered).toBeGreaterThanOrEqual(end - start - 50);
    expect(sinks.total(host.id, 'audio').packets).toBeGreaterThan(200);
    await bot.stop('done');
  });
});
