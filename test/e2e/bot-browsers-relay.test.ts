/**
 * Issue 4 acceptance: relay-only calls through coturn. The Chromium participant runs with
 * iceTransportPolicy 'relay'; the bot takes ICE_SERVERS + ICE_TRANSPORT_POLICY=relay from the real
 * config loader. Media must reach the bot over a relay/relay candidate pair, over TURN/UDP and TURN/TLS.
 */
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { botSettingsFromConfig } from '../../src/bot/bot-settings';
import { CountingSinkFactory } from '../../src/bot/counting-track-sink';
import { loadConfig } from '../../src/config/config.schema';
import { GdmnSignalingAdapter, gdmnAdapterOptionsFromConfig } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant } from '../../src/testworld/browser/browser-participant';
import { waitFor } from '../../src/testworld/synthetic/test-world';
import { startCoturn, type Coturn } from '../support/coturn';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000);

describe('relay-only through coturn: Chromium (policy relay) + bot (ICE_TRANSPORT_POLICY=relay)', () => {
  let server: SignalingServerHandle;
  let turn: Coturn;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    [server, turn] = await Promise.all([startSignalingServer({}), startCoturn()]);
  });
  afterAll(async () => {
    await server?.close();
    await turn?.stop();
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it.each([
    ['udp', 'udpUrl'],
    ['tls', 'tlsUrl'],
  ] as const)('TURN over %s: the bot records the participant through a relay/relay pair', async (proto, key) => {
    const iceServers = [{ urls: turn[key], username: turn.username, credential: turn.credential }];
    const code = `relay-${proto}-${Date.now().toString(36)}`;
    const config = loadConfig({
      ICE_SERVERS: JSON.stringify(iceServers),
      ICE_TRANSPORT_POLICY: 'relay',
      ICE_LOOPBACK_ONLY: 'true',
      LOG_LEVEL: 'warn',
    });
    const signaling = new GdmnSignalingAdapter(gdmnAdapterOptionsFromConfig(config, { url: server.url, roomId: code }));
    const sinks = new CountingSinkFactory();
    const settings = botSettingsFromConfig(config);
    expect(settings.iceTransportPolicy).toBe('relay');
    const bot = new Bot({
      signaling,
      sinkFactory: sinks,
      media: await loadBotMedia(join(tmpdir(), 'recbot-media-cache')),
      // coturn's TLS listener has a self-signed certificate (test only)
      settings: { ...settings, peerConfigOverrides: { ...settings.peerConfigOverrides, turnTlsOptions: { rejectUnauthorized: false } } },
    });
    cleanup.push(() => bot.stop('test end'));
    const host = await BrowserParticipant.launch({
      serverUrl: server.url, roomId: `video:${code}`, participantId: `chrome-${proto}`, role: 'host', codec: 'VP8',
      iceServers, icePolicy: 'relay', ignoreCertificateErrors: true, video: { width: 320, height: 240, fps: 15 },
    });
    cleanup.push(() => host.close());
    await bot.start();

    const pid = `chrome-${proto}`;
    await waitFor(() => sinks.total(pid, 'video').frames > 30 && sinks.total(pid, 'audio').packets > 100, 40_000, `media over TURN/${proto} at the bot`);
    const s = await host.waitFor((st) => (st.peers[signaling.selfId]?.stats?.video.framesDecoded ?? 0) > 10, 20_000);
    const peer = s.peers[signaling.selfId]!;
    const pair = peer.stats?.selectedPair;
    console.log(`TURN/${proto}: browser pair ${JSON.stringify(pair)}; bot got ${JSON.stringify(sinks.total(pid, 'video'))} video, ${JSON.stringify(sinks.total(pid, 'audio'))} audio`);
    expect(pair?.localType).toBe('relay');
    expect(pair?.remoteType).toBe('relay'); // the bot's candidate: it is relay-only too
    expect(pair?.relayProtocol).toBe(proto);
    expect(peer.restartsFull + peer.restartsIce + peer.restartsNoStream).toBe(0);
  });

  it('bot as caller with no ICE_SERVERS: it hands the app TURN config it learned from CALLING to the guest it calls', async () => {
    const iceServers = [{ urls: turn.udpUrl, username: turn.username, credential: turn.credential }];
    const code = `relay-caller-${Date.now().toString(36)}`;
    const launch = async (participantId: string, role: 'host' | 'participant', servers: typeof iceServers): Promise<BrowserParticipant> => {
      const b = await BrowserParticipant.launch({
        serverUrl: server.url, roomId: `video:${code}`, participantId, role, codec: 'VP8', iceServers: servers, icePolicy: 'relay',
        video: { width: 320, height: 240, fps: 15 },
      });
      cleanup.push(() => b.close());
      return b;
    };
    // The guest knows no TURN server itself: as callee it builds its connection from CALLING.config.
    const [host, guest] = await Promise.all([launch('chrome-host', 'host', iceServers), launch('chrome-guest', 'participant', [])]);
    await host.waitFor((st) => st.peers['chrome-guest']?.connectionState === 'connected', 30_000);
    const config = loadConfig({ ICE_LOOPBACK_ONLY: 'true', LOG_LEVEL: 'warn' });
    const signaling = new GdmnSignalingAdapter(gdmnAdapterOptionsFromConfig(config, { url: server.url, roomId: code }));
    const sinks = new CountingSinkFactory();
    const bot = new Bot({ signaling, sinkFactory: sinks, media: await loadBotMedia(join(tmpdir(), 'recbot-media-cache')), settings: botSettingsFromConfig(config) });
    cleanup.push(() => bot.stop('test end'));
    await bot.start();
    await waitFor(() => sinks.total('chrome-guest', 'video').frames > 30 && sinks.total('chrome-guest', 'audio').packets > 100, 40_000, 'guest media at the bot');
    expect(bot.status().peers.find((p) => p.id === 'chrome-guest')?.role).toBe('caller');
    const s = await guest.waitFor((st) => (st.peers[signaling.selfId]?.stats?.video.framesDecoded ?? 0) > 10, 20_000);
    const pair = s.peers[signaling.selfId]?.stats?.selectedPair;
    expect(s.peers[signaling.selfId]?.role).toBe('callee');
    expect(pair?.localType).toBe('relay');
    expect(pair?.remoteType).toBe('relay');
  });
});
