/**
 * The app's `GET /api/webrtc-config` (optional in the protocol): the bot reads it once per call so
 * that, calling first after MAKE_CALL, it hands callees the app's STUN/TURN and policy in CALLING.
 * Real reference signaling server, real werift peers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GdmnSignalingAdapter } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(60_000);

const APP_ICE = {
  stun: [{ urls: 'stun:127.0.0.1:3479' }],
  turn: [{ urls: 'turn:127.0.0.1:3479?transport=udp', username: 'app-user', credential: 'app-secret' }],
  icePolicy: 'all' as const,
};

describe('ICE config from the app server (GET /api/webrtc-config)', () => {
  let server: SignalingServerHandle;
  let odd: Server;
  let oddUrl: string;
  beforeAll(async () => {
    server = await startSignalingServer({ webrtcConfig: APP_ICE });
    // An app server whose endpoint answers garbage / errors / never.
    odd = createServer((req, res) => {
      if (req.url === '/garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"stun": "not a list"');
      else if (req.url === '/wrong-shape') res.writeHead(200).end(JSON.stringify({ stun: [{ nope: 1 }] }));
      else if (req.url === '/hang') return; // never answers
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    odd.closeAllConnections();
    await new Promise((r) => odd.close(r));
    await server.close();
  });

  it('reads the documented shape; a missing, malformed, wrong-shaped or hanging endpoint gives undefined, never an error', async () => {
    const adapter = (url: string, webrtcConfigPath?: string): GdmnSignalingAdapter => new GdmnSignalingAdapter({ url, roomId: 'x', name: 'n', webrtcConfigPath });
    expect(await adapter(server.url, '/api/webrtc-config').fetchIceConfig()).toEqual({ iceServers: [...APP_ICE.stun, ...APP_ICE.turn], iceTransportPolicy: 'all' });
    expect(await adapter(server.url).fetchIceConfig()).toBeUndefined(); // not configured
    expect(await adapter(server.url, 'off').fetchIceConfig()).toBeUndefined();
    for (const p of ['/missing', '/garbage', '/wrong-shape']) expect(await adapter(oddUrl, p).fetchIceConfig()).toBeUndefined();
    const t0 = Date.now();
    expect(await adapter(oddUrl, '/hang').fetchIceConfig()).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('the bot, as caller after MAKE_CALL, sends the app\'s ICE servers in CALLING', async () => {
    const room = new TestRoom(server.url);
    try {
      const host = await room.participant('Host', { host: true });
      const guest = await room.participant('Guest');
      await waitFor(() => Object.values(guest.peerStates()).includes('connected'), 15_000, 'host-guest call');
      const { signaling } = await room.bot({}, { webrtcConfigPath: '/api/webrtc-config' });
      await waitFor(() => guest.callConfigs.has(signaling.selfId), 15_000, 'CALLING from the bot to the guest');
      const ice = guest.callConfigs.get(signaling.selfId);
      expect(ice?.iceServers).toEqual(expect.arrayContaining([...APP_ICE.stun, ...APP_ICE.turn]));
      expect(host.callConfigs.has(signaling.selfId)).toBe(false); // the host called the bot, not the other way round
    } finally {
      await room.close();
    }
  });
});

describe('transports', () => {
  it('joins an app server that only allows long-polling (WebSocket refused)', async () => {
    const polling = await startSignalingServer({ transports: ['polling'] });
    const room = new TestRoom(polling.url);
    try {
      const host = await room.participant('Host', { host: true });
      const { signaling, sinks } = await room.bot();
      expect(signaling.connected).toBe(true);
      await waitFor(() => sinks.total(host.id, 'audio').packets > 20, 15_000, 'host audio at the bot over a polling-only server');
    } finally {
      await room.close();
      await new Promise((r) => setTimeout(r, 500)); // let the clients' last polls end before the server goes
      await polling.close();
    }
  });
});
