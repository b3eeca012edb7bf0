import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { GdmnSignalingAdapter } from '../../src/signaling/gdmn-signaling.adapter';
import { LIMITS } from '../../src/signaling/gdmn-protocol';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(90_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('bot resilience (werift peers, reference signaling server)', () => {
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

  it('socket cut for 10 s: media keeps flowing peer to peer, the bot rejoins and signaling works again', async () => {
    const host = await room.participant('Host', { host: true });
    const { bot, sinks, signaling } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'video').frames > 15, 15_000, 'call');
    signaling.dropConnection(10_000);
    await sleep(500);
    expect(signaling.connected).toBe(false);
    await waitFor(() => !host.signaling.participants().some((p) => p.id === signaling.selfId), 5000, 'host to see the disconnect');
    const during = sinks.total(host.id, 'audio').packets;
    await sleep(4000);
    expect(sinks.total(host.id, 'audio').packets - during).toBeGreaterThan(150);
    await waitFor(() => signaling.connected && signaling.counters.connects === 2, 15_000, 'reconnect');
    await waitFor(() => host.signaling.participants().some((p) => p.id === signaling.selfId), 5000, 'bot re-announced');
    // the call normally survives (no re-admission); a host may also re-call: either way it is connected
    expect(host.events.callsStarted).toBeLessThanOrEqual(2);
    await waitFor(() => bot.status().peers.some((p) => p.id === host.id && p.connection === 'connected'), 10_000, 'peer connected');
    const after = sinks.total(host.id, 'audio').packets;
    await sleep(2000);
    expect(sinks.total(host.id, 'audio').packets - after).toBeGreaterThan(70);
    // signaling is live again: a full restart by the host goes through
    host.restartCall();
    await waitFor(() => sinks.tracks.length >= 4 && sinks.tracks.slice(2).every((t) => t.packets > 10), 15_000, 'restart after rejoin');
  });

  it('frozen media: the bot climbs the recovery ladder (callee asks RESTART_CALL; caller ICE-restarts first)', async () => {
    const fast = { statsIntervalMs: 1000, iceRestartAfterMs: 2500, fullRestartAfterMs: 5000, networkWaitMs: 30_000 };
    const host = await room.participant('Host', { host: true });
    const guest = await room.participant('Guest', { calleeOffers: true });
    await waitFor(() => guest.peerStates()[host.id] === 'connected', 15_000, 'host-guest call');
    const { bot, sinks } = await room.bot(fast);
    await waitFor(() => sinks.total(host.id, 'audio').packets > 30 && sinks.total(guest.id, 'audio').packets > 30, 20_000, 'calls');
    const roles = Object.fromEntries(bot.status().peers.map((p) => [p.id, p.role]));
    expect(roles).toEqual({ [host.id]: 'callee', [guest.id]: 'caller' });
    const hostCalls = host.events.callsStarted;
    const guestOffers = guest.events.offersSent;
    host.mute(12_000);
    guest.mute(12_000);
    // callee side (host is the caller): RESTART_CALL makes the host call again
    await waitFor(() => host.events.callsStarted > hostCalls, 12_000, 'host re-calls after RESTART_CALL');
    // caller side (bot calls the guest): an ICE restart offer first, then a full restart (new CALLING)
    await waitFor(() => guest.events.callsAccepted >= 2, 12_000, 'bot fully restarts its call to the guest');
    expect(guest.events.answersSent).toBeGreaterThanOrEqual(1); // answered the bot's ICE-restart offer
    // the guest (callee, adds tracks) offers on the new call once it has the bot's ANSWER_CALL echo
    await waitFor(() => guest.events.offersSent > guestOffers, 10_000, 'guest offer on the new call');
    guest.unmute();
    host.unmute();
    await waitFor(() => sinks.tracks.filter((t) => !t.closed && t.packets > 20).length >= 4, 15_000, 'media again on fresh calls');
  });

  it('10,000 malformed/hostile messages: the bot keeps receiving and its heap stays flat', async () => {
    const host = await room.participant('Host', { host: true });
    const { bot, sinks, signaling } = await room.bot();
    await waitFor(() => sinks.total(host.id, 'video').frames > 15, 15_000, 'call');
    const attacker = new GdmnSignalingAdapter({ url: server.url, roomId: room.roomId, name: 'x', participantState: 'initial' });
    await attacker.connect();
    const botId = signaling.selfId;
    const heapBefore = heapMb();
    const sentBefore = signaling.counters.sent;
    const big = 'v=0\r\n' + 'a'.repeat(LIMITS.SDP_CHARS);
    const kinds: ((i: number) => unknown)[] = [
      (i) => i,
      (i) => `garbage ${i}`,
      () => [1, { type: 'JOIN' }],
      () => ({ type: 'SIGNAL' }),
      (i) => ({ type: 'SIGNAL', payload: { fromId: host.id, toId: botId, sessionId: `stale-${i}`, description: { type: 'offer', sdp: 'v=0' } } }),
      (i) => ({ type: 'CALLING', payload: { fromId: `ghost-${i}`, toId: botId, sessionId: `s-${i}` } }),
      (i) => ({ type: 'ANSWER_CALL', payload: { fromId: host.id, toId: botId, sessionId: `s-${i}` } }),
      (i) => ({ type: 'SIGNAL', payload: { fromId: host.id, toId: 'someone-else', sessionId: 's', candidate: { candidate: `c${i}` } } }),
      (i) => ({ type: 'JOIN', payload: { fromId: `flood-${i}`, name: 'x'.repeat(200), state: 'ready' } }),
      () => ({ type: 'ENUM', payload: { fromId: 'flooder' } }),
      (i) => ({ type: 'SOCKET_PONG', payload: { fromId: host.id, toId: botId, sessionId: `p-${i}` } }),
      (i) => ({ type: 'JOIN', payload: { fromId: { nested: { deep: [i] } } } }),
      (i) => (i % 500 === 0 ? { type: 'SIGNAL', payload: { fromId: host.id, toId: botId, sessionId: 'x', description: { type: 'offer', sdp: big } } } : null),
      (i) => ({ type: 'CUSTOM_MESSAGE', payload: { fromId: 'a', data: { i } }, extra: 'y'.repeat(100) }),
    ];
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      attacker.sendRaw(kinds[i % kinds.length]!(i));
      if (i % 250 === 249) await sleep(20);
    }
    await waitFor(() => signaling.counters.received >= N, 30_000, 'all fuzz messages received');
    const c = signaling.counters;
    expect(c.dropped.malformed).toBeGreaterThan(3000);
    expect(c.dropped['stale-session']).toBeGreaterThan(1000);
    expect(c.dropped['calling-from-unseen']).toBeGreaterThan(500);
    expect(c.dropped['not-for-us']).toBeGreaterThan(500);
    expect(c.dropped['table-full']).toBeGreaterThan(0);
    expect(signaling.counters.sent - sentBefore).toBeLessThan(300); // ENUM floods are coalesced
    expect(bot.status().peers).toEqual([expect.objectContaining({ id: host.id, connection: 'connected' })]);
    const mid = sinks.total(host.id, 'audio').packets;
    await sleep(2000);
    expect(sinks.total(host.id, 'audio').packets - mid).toBeGreaterThan(70);
    await attacker.close();
    const heapAfter = heapMb();
    expect(heapAfter - heapBefore).toBeLessThan(25);
  });
});
