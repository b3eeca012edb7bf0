/**
 * Issue 4 acceptance: the bot with real Chromium participants survives
 *  - its own signaling socket being cut for 10 s (a TCP cut between bot and server: the client sees
 *    a transport loss, its reconnects fail for 10 s, then it rejoins);
 *  - a participant's ICE restart and full restart, both as the participant's callee and as its caller.
 * Two browsers per room: a host (calls the bot) and a guest (the bot calls it after MAKE_CALL).
 * The bot is built from the real config loader (default reconnect/heartbeat settings).
 */
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { botSettingsFromConfig } from '../../src/bot/bot-settings';
import { CountingSinkFactory } from '../../src/bot/counting-track-sink';
import { loadConfig } from '../../src/config/config.schema';
import { GdmnSignalingAdapter, gdmnAdapterOptionsFromConfig } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant, type BrowserPageState, type PeerRecord } from '../../src/testworld/browser/browser-participant';
import { sleep, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(150_000);

/** A loopback TCP proxy that can cut every connection and refuse new ones for a while. */
async function startCutProxy(targetPort: number): Promise<{ url: string; cut(ms: number): void; close(): Promise<void> }> {
  const conns = new Set<net.Socket>();
  let cutUntil = 0;
  const srv = net.createServer((c) => {
    if (Date.now() < cutUntil) return void c.destroy();
    const up = net.connect(targetPort, '127.0.0.1');
    conns.add(c).add(up);
    const end = (): void => {
      c.destroy();
      up.destroy();
      conns.delete(c);
      conns.delete(up);
    };
    for (const s of [c, up]) s.on('error', end).on('close', end);
    c.pipe(up);
    up.pipe(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cut(ms) {
      cutUntil = Date.now() + ms;
      for (const s of conns) s.destroy();
    },
    close: () => {
      for (const s of conns) s.destroy();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

function counters(p: PeerRecord | undefined): { ice: number; full: number; noStream: number; calls: number; restartRequests: number; endCalls: number; problems: number } {
  return {
    problems: p?.problemsConfirmed ?? -1,
    ice: p?.restartsIce ?? -1,
    full: p?.restartsFull ?? -1,
    noStream: p?.restartsNoStream ?? -1,
    calls: p?.callsStarted ?? -1,
    restartRequests: p?.restartRequestsReceived ?? -1,
    endCalls: (p?.endCallsSent ?? 0) + (p?.endCallsReceived ?? 0),
  };
}

describe('bot recovery with Chromium participants', () => {
  let server: SignalingServerHandle;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(() => server?.close());
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** A room with a Chromium host and guest, and the bot (signaling through `signalingUrl`). */
  async function callWithBot(signalingUrl: string): Promise<{ bot: Bot; signaling: GdmnSignalingAdapter; sinks: CountingSinkFactory; host: BrowserParticipant; guest: BrowserParticipant; botMediaAt: (s: BrowserPageState) => boolean }> {
    const code = `rec-${Date.now().toString(36)}`;
    const launch = async (participantId: string, role: 'host' | 'participant'): Promise<BrowserParticipant> => {
      const b = await BrowserParticipant.launch({
        serverUrl: server.url, roomId: `video:${code}`, participantId, name: participantId, role, codec: 'VP8',
        video: { width: 320, height: 240, fps: 15 },
      });
      cleanup.push(() => b.close());
      return b;
    };
    const [host, guest] = await Promise.all([launch('chrome-host', 'host'), launch('chrome-guest', 'participant')]);
    await host.waitFor((s) => s.peers['chrome-guest']?.connectionState === 'connected', 30_000);
    const config = loadConfig({ ICE_LOOPBACK_ONLY: 'true', LOG_LEVEL: 'warn' });
    const signaling = new GdmnSignalingAdapter(gdmnAdapterOptionsFromConfig(config, { url: signalingUrl, roomId: code }));
    const sinks = new CountingSinkFactory();
    const bot = new Bot({ signaling, sinkFactory: sinks, media: await loadBotMedia(join(tmpdir(), 'recbot-media-cache')), settings: botSettingsFromConfig(config) });
    cleanup.push(() => bot.stop('test end'));
    await bot.start();
    const botMediaAt = (s: BrowserPageState): boolean => {
      const p = s.peers[signaling.selfId];
      return p?.connectionState === 'connected' && (p.stats?.video.framesDecoded ?? 0) > 5 && (p.stats?.audio.bytesReceived ?? 0) > 0;
    };
    await waitFor(() => ['chrome-host', 'chrome-guest'].every((id) => sinks.total(id, 'video').frames > 20 && sinks.total(id, 'audio').packets > 50), 30_000, 'both browsers at the bot');
    await Promise.all([host.waitFor(botMediaAt, 20_000), guest.waitFor(botMediaAt, 20_000)]);
    expect(Object.fromEntries(bot.status().peers.map((p) => [p.id, p.role]))).toEqual({ 'chrome-host': 'callee', 'chrome-guest': 'caller' });
    return { bot, signaling, sinks, host, guest, botMediaAt };
  }

  /** Audio packets the bot receives from `id` over `ms`. */
  async function audioOver(sinks: CountingSinkFactory, id: string, ms: number): Promise<number> {
    const before = sinks.total(id, 'audio').packets;
    await sleep(ms);
    return sinks.total(id, 'audio').packets - before;
  }

  it('socket cut for 10 s: media keeps flowing, the bot rejoins, no browser restarts its call', async () => {
    const proxy = await startCutProxy(server.port);
    cleanup.push(() => proxy.close());
    const { bot, signaling, sinks, host, guest, botMediaAt } = await callWithBot(proxy.url);
    const before = [counters((await host.snapshot()).peers[signaling.selfId]), counters((await guest.snapshot()).peers[signaling.selfId])];
    const tracksBefore = sinks.tracks.length;

    proxy.cut(10_000);
    await sleep(1000);
    expect(signaling.connected).toBe(false);
    // media is peer to peer: it keeps flowing while the socket is down (~50 audio packets/s)
    const during = await Promise.all([audioOver(sinks, 'chrome-host', 6000), audioOver(sinks, 'chrome-guest', 6000)]);
    expect(Math.min(...during)).toBeGreaterThan(200);
    await waitFor(() => signaling.connected && signaling.counters.connects === 2, 12_000, 'bot socket back');
    const rejoinS = signaling.counters.connects;
    // both browsers see the bot again (its ENUM + JOIN after the reconnect)
    await host.waitFor((s) => Boolean(s.seen[signaling.selfId]), 10_000);
    // stay through the window of the browsers' recovery ladder (ICE restart at 9 s, full at 18 s)
    await sleep(14_000);
    const after = await Promise.all([host.stats(), guest.stats()]);
    const now = after.map((s) => counters(s.peers[signaling.selfId]));
    console.log(`socket cut 10 s: bot connects=${rejoinS} (recovered ${signaling.counters.recovered}), counters before ${JSON.stringify(before)} after ${JSON.stringify(now)}, packets during cut ${JSON.stringify(during)}`);
    // No browser restarts its call: no full restart, no new call, no END_CALL, no restart request.
    // Heartbeats cannot cross a 10 s signaling cut: the host's (caller's) ladder confirms "pong
    // missed" after two bad 5 s ticks and ICE-restarts at 9 s unless the bot's pongs (answers to the
    // pings the server replays on session recovery) came back before its next tick. That is a
    // matter of tick phase (about 1 run in 3): the bot must then follow that ICE restart, which the
    // assertions below check (same tracks, media flowing, connected).
    const callLevel = (c: ReturnType<typeof counters>): number[] => [c.full, c.noStream, c.calls, c.restartRequests, c.endCalls];
    expect(now.map(callLevel)).toEqual(before.map(callLevel));
    expect(now[0]!.ice).toBeLessThanOrEqual(1); // host: at most the ladder's ICE restart
    expect(now[1]!.ice).toBe(0); // guest (callee of the bot): the ladder never ICE-restarts as callee
    for (const s of after) expect(botMediaAt(s)).toBe(true);
    expect(sinks.tracks.length).toBe(tracksBefore); // same tracks: the calls were never restarted
    const end = await Promise.all([audioOver(sinks, 'chrome-host', 2000), audioOver(sinks, 'chrome-guest', 2000)]);
    expect(Math.min(...end)).toBeGreaterThan(70);
    expect(bot.status().peers.every((p) => p.connection === 'connected')).toBe(true);
    // signaling works again: the bot answers pings of the current sessions
    expect(after.every((s) => (s.peers[signaling.selfId]?.pongs ?? 0) > 0)).toBe(true);
  });

  it('participant ICE restart and full restart (as caller and as callee of the bot): the bot follows, tracks resume', async () => {
    const { bot: theBot, sinks, signaling, host, guest, botMediaAt } = await callWithBot(server.url);
    const bot = signaling.selfId;
    const tracksOf = (id: string): number => sinks.tracks.filter((t) => t.info.participantId === id).length;
    const freshTracksGetPackets = (id: string, n: number) => (): boolean =>
      tracksOf(id) >= n && sinks.tracks.filter((t) => t.info.participantId === id).slice(-2).every((t) => t.packets > 50);

    // ICE restarts: the host is the caller, the guest the callee (its offer carries new credentials).
    for (const b of [host, guest]) {
      const id = b.options.participantId;
      const sentBefore = (await b.stats()).peers[bot]!.stats!.bytesReceived;
      await b.control('restartIce', bot);
      await sleep(6000);
      const s = await b.waitFor((st) => botMediaAt(st) && (st.peers[bot]?.stats?.bytesReceived ?? 0) > sentBefore, 15_000);
      expect(s.peers[bot]?.restartsFull).toBe(0);
      expect(s.peers[bot]?.restartRequestsReceived).toBe(0);
      expect(tracksOf(id)).toBe(2); // same call, same tracks
      expect(await audioOver(sinks, id, 2000)).toBeGreaterThan(70);
    }

    // Full restarts: the host sends a new CALLING; the guest (callee) asks the bot with RESTART_CALL.
    for (const b of [host, guest]) {
      const id = b.options.participantId;
      await b.control('fullRestart', bot);
      await waitFor(freshTracksGetPackets(id, 4), 30_000, `${id}: new tracks after the full restart`);
      expect(tracksOf(id)).toBe(4);
      await b.waitFor((st) => botMediaAt(st) && (st.peers[bot]?.stats?.video.framesDecoded ?? 0) > 5, 20_000);
    }

    // Nothing beyond what we triggered: one ICE + one full restart each, no no-stream restarts.
    await sleep(5000);
    const final = await Promise.all([host.stats(), guest.stats()]);
    const c = final.map((s) => counters(s.peers[bot]));
    console.log(`restarts: host ${JSON.stringify(c[0])}, guest ${JSON.stringify(c[1])}; tracks at the bot ${sinks.tracks.length}`);
    for (const x of c) expect({ ice: x.ice, full: x.full, noStream: x.noStream, endCalls: x.endCalls }).toEqual({ ice: 1, full: 1, noStream: 0, endCalls: 0 });
    expect(sinks.tracks.length).toBe(8);
    for (const s of final) expect(botMediaAt(s)).toBe(true);

    // Leaving as real clients do: END_CALL to each peer, then LEAVE; both arrive before the disconnect.
    await theBot.stop('test end');
    for (const b of [host, guest]) {
      const s = await b.waitFor((st) => !st.seen[bot] && st.peers[bot]?.connectionState === 'closed', 5000);
      expect(s.peers[bot]?.endCallsReceived).toBe(1);
    }
  });
});
