import { io as ioClient, type Socket } from 'socket.io-client';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';

jest.setTimeout(20_000);

let server: SignalingServerHandle;
const sockets: Socket[] = [];

function connect(query: Record<string, string>): Socket {
  const s = ioClient(server.url, { path: '/socket.io', query, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}

function member(roomId: string, participantId: string, instanceId = `inst-${participantId}`): Socket {
  return connect({ roomId, participantId, instanceId });
}

/** Resolves with every argument of the next `event`. */
function next(s: Socket, event: string, timeoutMs = 3000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    s.once(event, (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

function connected(s: Socket): Promise<void> {
  return s.connected ? Promise.resolve() : next(s, 'connect').then(() => undefined);
}

/** Collects the first argument of every `message` event. */
function collect(s: Socket): unknown[] {
  const got: unknown[] = [];
  s.on('message', (data: unknown) => got.push(data));
  return got;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  server = await startSignalingServer({
    webrtcConfig: { turn: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }] },
    maxPayloadBytes: 100_000,
  });
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server.close();
  await server.close(); // idempotent
});

describe('reference signaling server', () => {
  it.each(['roomId', 'participantId', 'instanceId'])('disconnects a client whose handshake lacks %s', async (field) => {
    const query: Record<string, string> = { roomId: 'video:1', participantId: 'p1', instanceId: 'i1' };
    delete query[field];
    const s = connect(query);
    const [reason] = await next(s, 'disconnect');
    expect(reason).toBe('io server disconnect');
    expect(server.stats().rejectedMissingQuery).toBe(1);
    expect(server.stats().sockets).toBe(0);
  });

  it('refuses a duplicate participantId with another instanceId, accepts the same instanceId', async () => {
    const a = member('video:r', 'alice', 'i-1');
    await connected(a);
    const dup = member('video:r', 'alice', 'i-2');
    const already = next(dup, 'already_in_room');
    const gone = next(dup, 'disconnect');
    await already;
    expect((await gone)[0]).toBe('io server disconnect');
    expect(a.connected).toBe(true);
    expect(server.stats().rejectedDuplicate).toBe(1);

    const aDropped = next(a, 'disconnect');
    const again = member('video:r', 'alice', 'i-1');
    await connected(again);
    expect((await aDropped)[0]).toBe('io server disconnect');
    await sleep(50);
    expect(again.connected).toBe(true);
    expect(server.stats().rooms).toEqual({ 'video:r': ['alice'] });
    expect(server.stats().replaced).toBe(1);
  });

  it('relays every message unchanged to every other socket of the room only, with a trailing offset', async () => {
    const a = member('video:r', 'a');
    const b = member('video:r', 'b');
    const c = member('video:r', 'c');
    const other = member('video:other', 'x');
    await Promise.all([a, b, c, other].map(connected));
    const [gotA, gotB, gotC, gotOther] = [a, b, c, other].map(collect);
    const rawB = next(b, 'message');

    // includes malformed and non-object payloads: the server never validates nor routes by toId
    const payloads: unknown[] = [
      { type: 'SIGNAL', payload: { fromId: 'a', toId: 'c', sessionId: 's', description: { type: 'offer', sdp: 'v=0' } } },
      { type: 'WHATEVER', payload: null, extra: [1, 2, { deep: true }] },
      'just a string',
      42,
      [1, 'two'],
    ];
    for (const p of payloads) a.emit('message', p);
    await sleep(300);

    expect(gotB).toEqual(payloads);
    expect(gotC).toEqual(payloads);
    expect(gotA).toEqual([]);
    expect(gotOther).toEqual([]);
    const args = await rawB;
    expect(args).toHaveLength(2); // connection-state recovery: data + offset
    expect(args[0]).toEqual(payloads[0]);
    expect(typeof args[1]).toBe('string');
    expect(server.stats().messagesRelayed).toBe(payloads.length);
  });

  it('broadcasts SOCKET_DISCONNECTED to the room when a socket goes', async () => {
    const a = member('video:r', 'a');
    const b = member('video:r', 'b');
    await Promise.all([a, b].map(connected));
    const got = next(b, 'message');
    a.close();
    expect((await got)[0]).toEqual({ type: 'SOCKET_DISCONNECTED', payload: { roomId: 'video:r', participantId: 'a' } });
    expect(server.stats().rooms).toEqual({ 'video:r': ['b'] });
  });

  it('serves /api/webrtc-config and broadcasts LEAVE on /user_closing_tab', async () => {
    const cfg = (await (await fetch(`${server.url}/api/webrtc-config`)).json()) as unknown;
    expect(cfg).toEqual({ stun: [], turn: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }], icePolicy: 'all' });

    const b = member('video:r', 'b');
    await connected(b);
    const got = next(b, 'message');
    const res = await fetch(`${server.url}/user_closing_tab?participantId=a&roomId=video:r`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await got)[0]).toEqual({ type: 'LEAVE', payload: { fromId: 'a' } });
    expect((await fetch(`${server.url}/user_closing_tab?roomId=video:r`, { method: 'POST' })).status).toBe(400);
  });

  it('defaults to no ICE servers and serves the socket.io client and static files', async () => {
    await server.close();
    server = await startSignalingServer({ path: '/custom-io' });
    expect(await (await fetch(`${server.url}/api/webrtc-config`)).json()).toEqual({ stun: [], turn: [], icePolicy: 'all' });
    const client = await fetch(`${server.url}/custom-io/socket.io.js`);
    expect(client.status).toBe(200);
    expect((await client.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${server.url}/testworld/../../package.json`)).status).not.toBe(200);
    const s = ioClient(server.url, { path: '/custom-io', query: { roomId: 'r', participantId: 'p', instanceId: 'i' }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await connected(s);
    expect(server.stats().sockets).toBe(1);
  });

  it('drops an oversize payload without crashing and keeps relaying for others', async () => {
    const a = member('video:r', 'a');
    const b = member('video:r', 'b');
    const c = member('video:r', 'c');
    await Promise.all([a, b, c].map(connected));
    const gotB = collect(b);
    const aGone = next(a, 'disconnect');
    a.emit('message', { type: 'CUSTOM_MESSAGE', payload: { fromId: 'a', data: 'x'.repeat(200_000) } });
    // engine.io closes the sender's connection (the client then reconnects on its own)
    expect((await aGone)[0]).toBe('transport close');
    await sleep(300);
    expect(gotB.filter((m) => (m as { type?: string }).type === 'CUSTOM_MESSAGE')).toEqual([]);
    c.emit('message', { type: 'JOIN', payload: { fromId: 'c', name: 'C', state: 'ready' } });
    await sleep(200);
    expect(gotB).toContainEqual({ type: 'JOIN', payload: { fromId: 'c', name: 'C', state: 'ready' } });
    expect((await fetch(`${server.url}/api/webrtc-config`)).status).toBe(200);
  });

  it('taps and filters messages, and kick() simulates a network loss the client recovers from', async () => {
    await server.close();
    const tapped: unknown[] = [];
    server = await startSignalingServer({
      onMessage: (ev) => tapped.push([ev.participantId, ev.data]),
      filter: (ev) => (ev.data as { type?: string }).type !== 'DROP_ME',
    });
    const a = ioClient(server.url, { query: { roomId: 'r', participantId: 'a', instanceId: 'ia' }, transports: ['websocket'], reconnectionDelay: 100, forceNew: true });
    sockets.push(a);
    const b = member('r', 'b');
    await Promise.all([a, b].map(connected));
    const gotA = collect(a);
    const gotB = collect(b);
    b.emit('message', { type: 'DROP_ME', payload: {} });
    b.emit('message', { type: 'KEEP', payload: {} });
    await sleep(200);
    expect(gotA).toEqual([{ type: 'KEEP', payload: {} }]);
    expect(tapped).toEqual([['b', { type: 'DROP_ME', payload: {} }], ['b', { type: 'KEEP', payload: {} }]]);
    expect(server.stats().messagesFiltered).toBe(1);

    const reconnected = next(a, 'connect', 5000);
    expect(server.kick('a')).toBe(1);
    b.emit('message', { type: 'DURING_GAP', payload: {} }); // replayed by connection-state recovery
    await reconnected;
    expect(a.recovered).toBe(true);
    await sleep(200);
    expect(gotA).toContainEqual({ type: 'DURING_GAP', payload: {} });
    expect(gotB).toContainEqual({ type: 'SOCKET_DISCONNECTED', payload: { roomId: 'r', participantId: 'a' } });
    expect(server.stats().rooms).toEqual({ r: ['b', 'a'] });
    expect(server.kick('nobody')).toBe(0);
  });

  it('fails to start on a port in use, without leaving anything open', async () => {
    await expect(startSignalingServer({ port: server.port })).rejects.toThrow(/EADDRINUSE/);
    expect((await fetch(`${server.url}/api/webrtc-config`)).status).toBe(200);
  });
});
