/**
 * Issue 11, probes 1 and 2 on the signaling side: a hostile signaling server (a real socket.io
 * server written here) sends JOIN + MAKE_CALL to make the bot call someone; nothing the bot sends
 * may carry the operator's ICE_SERVERS credentials. The app's webrtc-config is fetched from the app
 * URL (not the Socket.IO port), without following redirects; a host name resolving to loopback is
 * refused before connecting unless OUTBOUND_ALLOW allows it.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { botSettingsFromConfig } from '../../src/bot/bot-settings';
import { CountingSinkFactory } from '../../src/bot/counting-track-sink';
import { loadConfig } from '../../src/config/config.schema';
import { classifyIp, outboundPolicyFrom } from '../../src/security/outbound-policy';
import { GdmnSignalingAdapter, gdmnAdapterOptionsFromConfig } from '../../src/signaling/gdmn-signaling.adapter';
import { waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(60_000);

const OPERATOR_SECRETS = ['op-turn-user-7731', 'op-turn-secret-9924', 'turn.operator.example'];
const OPERATOR_ICE = [{ urls: 'turn:turn.operator.example:3478?transport=udp', username: 'op-turn-user-7731', credential: 'op-turn-secret-9924' }];
const APP_ICE = { stun: [{ urls: 'stun:127.0.0.1:3479' }], turn: [{ urls: 'turn:127.0.0.1:3479', username: 'app-user', credential: 'app-pass' }], icePolicy: 'all' };

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: HttpServer; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** A hostile relay: records everything the bot sends and makes it call a "victim". */
async function hostileSignaling(): Promise<{ io: Server; http: HttpServer; url: string; sent: unknown[]; handshakes: unknown[]; close(): Promise<void> }> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const io = new Server(http, { transports: ['websocket', 'polling'] });
  const sent: unknown[] = [];
  const handshakes: unknown[] = [];
  io.on('connection', (socket) => {
    handshakes.push(socket.handshake.query, socket.handshake.headers, socket.handshake.auth);
    const botId = String(socket.handshake.query.participantId);
    socket.onAny((event: string, ...args: unknown[]) => {
      sent.push({ event, args });
      const m = args[0] as { type?: string } | undefined;
      if (m?.type === 'JOIN' || m?.type === 'ENUM') {
        socket.emit('message', { type: 'JOIN', payload: { fromId: 'evil', name: 'Evil host', state: 'ready', participantState: 'master' } });
        socket.emit('message', { type: 'JOIN', payload: { fromId: 'victim', name: 'Victim', state: 'ready', participantState: 'ready-to-go' } });
        socket.emit('message', { type: 'MAKE_CALL', payload: { fromId: 'evil', toId: botId, calleeId: 'victim' } });
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    io, http, url, sent, handshakes,
    close: async () => {
      await new Promise((r) => io.close(r));
      http.closeAllConnections();
    },
  };
}

describe('hostile signaling server', () => {
  it('JOIN + MAKE_CALL: the bot calls with the app\'s ICE servers only; no operator secret in anything it sends', async () => {
    const sig = await hostileSignaling();
    const app = await listen((req, res) => {
      if (req.url === '/api/webrtc-config') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(APP_ICE));
      else res.writeHead(404).end();
    });
    const config = loadConfig({
      ICE_SERVERS: JSON.stringify(OPERATOR_ICE),
      ICE_LOOPBACK_ONLY: 'true',
      SIGNALING_APP_URL: app.url,
      BOT_CALLER_OFFER_WAIT_MS: '300',
      LOG_LEVEL: 'silent',
    });
    const signaling = new GdmnSignalingAdapter({ ...gdmnAdapterOptionsFromConfig(config, { url: sig.url, roomId: 'hostile' }), outbound: outboundPolicyFrom('loopback') });
    const bot = new Bot({ signaling, sinkFactory: new CountingSinkFactory(), media: await loadBotMedia(join(tmpdir(), 'recbot-media-cache')), settings: botSettingsFromConfig(config) });
    try {
      await bot.start();
      const callingOf = (): { payload: { config: { turn: unknown[]; stun: unknown[] } } } | undefined =>
        sig.sent.map((s) => (s as { args: unknown[] }).args[0] as { type?: string; payload: { toId?: string; config: { turn: unknown[]; stun: unknown[] } } }).find((m) => m?.type === 'CALLING' && m.payload.toId === 'victim');
      await waitFor(() => callingOf() !== undefined, 15_000, 'CALLING to the victim');
      // let the offer (after BOT_CALLER_OFFER_WAIT_MS), candidates and pings follow
      await new Promise((r) => setTimeout(r, 2500));
      expect(app.hits).toContain('/api/webrtc-config'); // fetched from the app URL, not the Socket.IO port
      const calling = callingOf();
      expect(calling?.payload.config.turn).toEqual(APP_ICE.turn);
      expect(calling?.payload.config.stun).toEqual(APP_ICE.stun);
      const everything = JSON.stringify([sig.sent, sig.handshakes]);
      expect(sig.sent.length).toBeGreaterThan(3);
      for (const secret of OPERATOR_SECRETS) expect(everything).not.toContain(secret);
    } finally {
      await bot.stop('test end');
      await sig.close();
      app.server.close();
    }
  });

  it('the webrtc-config fetch does not follow redirects', async () => {
    const target = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(APP_ICE)));
    const app = await listen((_req, res) => res.writeHead(302, { location: `${target.url}/api/webrtc-config` }).end());
    try {
      const a = new GdmnSignalingAdapter({ url: 'http://127.0.0.1:9', appUrl: app.url, webrtcConfigPath: '/api/webrtc-config', roomId: 'r', name: 'n', outbound: outboundPolicyFrom('loopback') });
      expect(await a.fetchIceConfig()).toBeUndefined();
      expect(app.hits).toEqual(['/api/webrtc-config']);
      expect(target.hits).toEqual([]);
    } finally {
      app.server.close();
      target.server.close();
    }
  });

  it('a host name resolving to loopback is refused before connecting (and the config is not fetched)', async () => {
    const sig = await hostileSignaling();
    const name = hostname();
    // precondition of this machine: its host name resolves to a loopback address (Debian's /etc/hosts)
    const resolved = await lookup(name);
    expect(classifyIp(resolved.address)).toBe('loopback');
    const port = new URL(sig.url).port;
    const a = new GdmnSignalingAdapter({ url: `http://${name}:${port}`, webrtcConfigPath: '/api/webrtc-config', roomId: 'r', name: 'n', outbound: outboundPolicyFrom(undefined) });
    try {
      await expect(a.connect()).rejects.toMatchObject({ code: 'OUTBOUND_FORBIDDEN' });
      expect(await a.fetchIceConfig()).toBeUndefined();
      expect(sig.handshakes).toEqual([]);
      // allowed explicitly, the same URL connects
      const ok = new GdmnSignalingAdapter({ url: `http://${name}:${port}`, roomId: 'r', name: 'n', outbound: outboundPolicyFrom('loopback') });
      await ok.connect();
      expect(sig.handshakes.length).toBeGreaterThan(0);
      await ok.close();
    } finally {
      await a.close();
      await sig.close();
    }
  });
});
