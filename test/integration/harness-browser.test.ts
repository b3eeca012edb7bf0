import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant, type BrowserPageState, type BrowserParticipantOptions } from '../../src/testworld/browser/browser-participant';
import { startCoturn, type Coturn } from '../support/coturn';
import { io as ioClient, type Socket } from 'socket.io-client';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

let server: SignalingServerHandle | undefined;
let coturn: Coturn | undefined;
const browsers: BrowserParticipant[] = [];

const fakes: Socket[] = [];

afterEach(async () => {
  for (const f of fakes.splice(0)) f.close();
  await Promise.all(browsers.splice(0).map((b) => b.close()));
  await server?.close();
  await coturn?.stop();
  server = undefined;
  coturn = undefined;
});

function peerOf(s: BrowserPageState, remoteId: string) {
  const p = s.peers[remoteId];
  if (!p) throw new Error(`${s.participantId} has no peer ${remoteId}`);
  return p;
}

const mediaBothWays = (remoteId: string) => (s: BrowserPageState): boolean => {
  const st = s.peers[remoteId]?.stats;
  return Boolean(st && st.audio.bytesReceived > 0 && st.video.framesDecoded > 10 && st.video.framesEncoded > 10);
};

async function launchPair(extra: Partial<BrowserParticipantOptions>) {
  if (!server) throw new Error('no server');
  const roomId = `video:${Math.random().toString(36).slice(2, 9)}`;
  const [host, guest] = await Promise.all([
    BrowserParticipant.launch({ serverUrl: server.url, roomId, participantId: 'host-1', name: 'Host', role: 'host', ...extra }),
    BrowserParticipant.launch({ serverUrl: server.url, roomId, participantId: 'guest-1', name: 'Guest', role: 'participant', ...extra }),
  ]);
  browsers.push(host, guest);
  return { host, guest };
}

describe('browser participants through the reference signaling server', () => {
  it('host and participant complete a call with media both ways', async () => {
    server = await startSignalingServer();
    const { host, guest } = await launchPair({ codec: 'VP8' });
    const h1 = await host.waitFor(mediaBothWays('guest-1'), 30_000);
    const g1 = await guest.waitFor(mediaBothWays('host-1'), 30_000);
    expect(peerOf(h1, 'guest-1').role).toBe('caller');
    expect(peerOf(g1, 'host-1').role).toBe('callee');
    expect(peerOf(h1, 'guest-1').connectionState).toBe('connected');
    expect(peerOf(g1, 'host-1').remoteTrackKinds.sort()).toEqual(['audio', 'video']);
    expect(peerOf(h1, 'guest-1').stats?.codecs.sent.video).toBe('video/VP8');
    expect(h1.capture.gumAt).toBeGreaterThan(0);
    expect(h1.transport).toBe('websocket');

    await new Promise((r) => setTimeout(r, 2500));
    const [h2, g2] = await Promise.all([host.stats(), guest.stats()]);
    for (const [before, after, remote] of [[h1, h2, 'guest-1'], [g1, g2, 'host-1']] as const) {
      const b = peerOf(before, remote).stats!;
      const a = peerOf(after, remote).stats!;
      expect(a.bytesReceived).toBeGreaterThan(b.bytesReceived);
      expect(a.video.framesDecoded).toBeGreaterThan(b.video.framesDecoded);
      expect(a.audio.packetsReceived).toBeGreaterThan(b.audio.packetsReceived);
      expect(peerOf(after, remote).restartsFull).toBe(0);
      expect(peerOf(after, remote).pongs).toBeGreaterThan(0);
    }
    expect(host.errors).toEqual([]);
    expect(guest.errors).toEqual([]);

    // a network loss of the guest's socket: it reconnects (state recovered), re-announces, the call survives
    expect(server.kick('guest-1')).toBe(1);
    const g3 = await guest.waitFor((s) => s.socketConnects === 2 && s.socketConnected, 10_000);
    expect(g3.log.some((e) => e.event === 'socket-connect' && e.recovered === true)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    const g4 = await guest.stats();
    expect(peerOf(g4, 'host-1').stats!.bytesReceived).toBeGreaterThan(peerOf(g3, 'host-1').stats!.bytesReceived);
    expect(peerOf(g4, 'host-1').sessionId).toBe(peerOf(g1, 'host-1').sessionId);

    await guest.leave();
    await host.waitFor((s) => !s.seen['guest-1'] && s.peers['guest-1']?.connectionState === 'closed', 10_000);
  });

  it('feeds a WAV and a Y4M file as fake microphone and camera, with the VP9 codec preference', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-fake-media-'));
    try {
      execFileSync('flite', ['-t', 'this call is being recorded', '-o', path.join(dir, 'raw.wav')]);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(dir, 'raw.wav'), '-af', 'adelay=500', '-ar', '48000', path.join(dir, 'speech.wav')]);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '2', '-pix_fmt', 'yuv420p', path.join(dir, 'cam.y4m')]);
      server = await startSignalingServer();
      const { host, guest } = await launchPair({ codec: 'VP9', wav: path.join(dir, 'speech.wav'), y4m: path.join(dir, 'cam.y4m') });
      const g = await guest.waitFor(mediaBothWays('host-1'), 30_000);
      const h = await host.stats();
      expect(h.capture.videoSettings).toMatchObject({ width: 320, height: 240 });
      expect(h.capture.audioFirstSoundAt).toBeGreaterThanOrEqual(h.capture.gumAt!);
      expect(h.capture.videoFirstFrameAt).toBeGreaterThanOrEqual(h.capture.gumAt! - 1000);
      expect(peerOf(g, 'host-1').stats?.codecs.received.video).toBe('video/VP9');
      expect(peerOf(g, 'host-1').stats!.audio.bytesReceived).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['udp', 'udpUrl'],
    ['tcp', 'tcpUrl'],
    ['tls', 'tlsUrl'],
  ] as const)('relay-only call through coturn over %s uses a relay candidate pair', async (proto, key) => {
    coturn = await startCoturn();
    server = await startSignalingServer();
    const iceServers = [{ urls: coturn[key], username: coturn.username, credential: coturn.credential }];
    // coturn's TLS certificate is self-signed
    const { host, guest } = await launchPair({ iceServers, icePolicy: 'relay', ignoreCertificateErrors: true });
    const h = await host.waitFor(mediaBothWays('guest-1'), 30_000);
    const g = await guest.waitFor(mediaBothWays('host-1'), 30_000);
    for (const [s, remote] of [[h, 'guest-1'], [g, 'host-1']] as const) {
      const pair = peerOf(s, remote).stats?.selectedPair;
      expect(pair?.localType).toBe('relay');
      expect(pair?.remoteType).toBe('relay');
      expect(pair?.relayProtocol).toBe(proto);
    }
  });
});

interface Msg {
  type: string;
  payload: Record<string, unknown>;
  at: number;
}

/** A scripted socket.io participant that speaks the protocol but never sends media. */
function fakeParticipant(url: string, roomId: string, participantId: string): { socket: Socket; got: Msg[]; send(type: string, payload: Record<string, unknown>): void } {
  const socket = ioClient(url, { query: { roomId, participantId, instanceId: `i-${participantId}` }, transports: ['websocket'], reconnection: false, forceNew: true });
  fakes.push(socket);
  const got: Msg[] = [];
  const send = (type: string, payload: Record<string, unknown>): void => void socket.emit('message', { type, payload: { fromId: participantId, ...payload } });
  socket.on('message', (m: { type: string; payload: Record<string, unknown> }) => {
    if (m.payload?.toId !== undefined && m.payload.toId !== participantId) return;
    got.push({ ...m, at: Date.now() });
    if (m.type === 'ENUM') send('JOIN', { name: participantId, state: 'ready', participantState: 'ready-to-go' });
  });
  socket.on('connect', () => {
    send('ENUM', {});
    send('JOIN', { name: participantId, state: 'ready', participantState: 'ready-to-go' });
  });
  return { socket, got, send };
}

async function until<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ufrag = (sdp: unknown): string | undefined => /a=ice-ufrag:(\S+)/.exec(String(sdp))?.[1];

describe('browser participant protocol behaviour (scripted peer, scaled-down timers)', () => {
  it('as caller: drops early candidates, answers pings, then ICE restart, full restart and END_CALL on a dead call', async () => {
    server = await startSignalingServer();
    const roomId = 'video:ladder-caller';
    const host = await BrowserParticipant.launch({
      serverUrl: server.url, roomId, participantId: 'host-1', role: 'host',
      timing: { statsMs: 1000, iceRestartMs: 2500, fullRestartMs: 5000, endCallCallerMs: 8000, noStreamMs: 60_000 },
    });
    browsers.push(host);
    const fake = fakeParticipant(server.url, roomId, 'bot-1');
    const calling = await until(() => fake.got.find((m) => m.type === 'CALLING'), 10_000, 'CALLING');
    const s1 = calling.payload.sessionId as string;
    expect(calling.payload).toMatchObject({ fromId: 'host-1', toId: 'bot-1', config: { stun: [], turn: [], icePolicy: 'all' } });
    // a candidate before any description: real clients drop it
    fake.send('SIGNAL', { toId: 'host-1', sessionId: s1, candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    fake.send('ANSWER_CALL', { toId: 'host-1', sessionId: s1, audioEnabled: true, videoEnabled: true });
    fake.send('SOCKET_PING', { toId: 'host-1', sessionId: 'ping-session' });
    const echo = await until(() => fake.got.find((m) => m.type === 'ANSWER_CALL'), 5000, 'ANSWER_CALL echo');
    expect(echo.payload.sessionId).toBe(s1);
    const pong = await until(() => fake.got.find((m) => m.type === 'SOCKET_PONG'), 5000, 'SOCKET_PONG');
    expect(pong.payload).toMatchObject({ fromId: 'host-1', toId: 'bot-1', sessionId: 'ping-session' });
    const offers = () => fake.got.filter((m) => m.type === 'SIGNAL' && (m.payload.description as { type?: string } | undefined)?.type === 'offer');
    const offer = await until(() => offers()[0], 5000, 'first offer');
    // a syntactically valid answer (mirrored offer, our own ICE credentials) whose ICE never connects
    const answerSdp = String((offer.payload.description as { sdp: string }).sdp)
      .replace(/a=setup:actpass/g, 'a=setup:active')
      .replace(/a=ice-ufrag:\S+/g, 'a=ice-ufrag:fake')
      .replace(/a=ice-pwd:\S+/g, 'a=ice-pwd:fakefakefakefakefakefake');
    fake.send('SIGNAL', { toId: 'host-1', sessionId: s1, description: { type: 'answer', sdp: answerSdp } });
    // stale session: must be ignored (no answer is applied, no error)
    fake.send('SIGNAL', { toId: 'host-1', sessionId: 'stale', description: { type: 'answer', sdp: 'garbage' } });

    const second = await until(() => fake.got.filter((m) => m.type === 'CALLING')[1], 20_000, 'full restart CALLING');
    expect(second.payload.sessionId).not.toBe(s1);
    const restartOffers = offers().filter((m) => m.payload.sessionId === s1);
    expect(restartOffers.length).toBeGreaterThanOrEqual(2); // the ICE restart re-offered with new credentials
    expect(ufrag(restartOffers[1]!.payload.description && (restartOffers[1]!.payload.description as { sdp: string }).sdp))
      .not.toBe(ufrag((restartOffers[0]!.payload.description as { sdp: string }).sdp));
    const end = await until(() => fake.got.find((m) => m.type === 'END_CALL'), 15_000, 'END_CALL');
    expect(end.payload.sessionId).toBe(second.payload.sessionId);
    const st = await host.stats();
    const rec = st.peers['bot-1']!;
    expect(rec.candidatesDropped).toBeGreaterThanOrEqual(1);
    expect(rec.restartsIce).toBe(1);
    expect(rec.restartsFull).toBe(1);
    expect(rec.endCallsSent).toBe(1);
    expect(host.errors).toEqual([]);
    // order of the ladder: ICE-restart offer, then the new CALLING, then END_CALL
    expect(restartOffers[1]!.at).toBeLessThanOrEqual(second.at);
    expect(second.at).toBeLessThan(end.at);
  });

  it('host sends MAKE_CALL so a newcomer calls the participants already in the call', async () => {
    server = await startSignalingServer();
    const roomId = 'video:make-call';
    const host = await BrowserParticipant.launch({ serverUrl: server.url, roomId, participantId: 'host-1', role: 'host', timing: { noStreamMs: 60_000 } });
    browsers.push(host);
    const fake = fakeParticipant(server.url, roomId, 'bot-3');
    const all: Msg[] = [];
    fake.socket.on('message', (m: { type: string; payload: Record<string, unknown> }) => all.push({ ...m, at: Date.now() }));
    await until(() => fake.got.find((m) => m.type === 'CALLING' && m.payload.fromId === 'host-1'), 10_000, 'CALLING from host');
    const guest = await BrowserParticipant.launch({ serverUrl: server.url, roomId, participantId: 'guest-1', role: 'participant', timing: { noStreamMs: 60_000 } });
    browsers.push(guest);
    const make = await until(() => all.find((m) => m.type === 'MAKE_CALL'), 10_000, 'MAKE_CALL');
    expect(make.payload).toEqual({ fromId: 'host-1', toId: 'guest-1', calleeId: 'bot-3' });
    const fromGuest = await until(() => fake.got.find((m) => m.type === 'CALLING' && m.payload.fromId === 'guest-1'), 10_000, 'CALLING from guest');
    expect(fromGuest.payload).toMatchObject({ toId: 'bot-3', config: { icePolicy: 'all' } });
    const g = await guest.waitFor(mediaBothWays('host-1'), 30_000);
    expect(peerOf(g, 'host-1').role).toBe('callee');
    expect(peerOf(g, 'bot-3').role).toBe('caller');
  });

  it('as callee: ignores CALLING from an unseen peer, asks RESTART_CALL when no remote stream arrives', async () => {
    server = await startSignalingServer();
    const roomId = 'video:ladder-callee';
    const guest = await BrowserParticipant.launch({
      serverUrl: server.url, roomId, participantId: 'guest-1', role: 'participant',
      timing: { statsMs: 60_000, noStreamMs: 3000 },
    });
    browsers.push(guest);
    const raw = ioClient(server.url, { query: { roomId, participantId: 'ghost', instanceId: 'g' }, transports: ['websocket'], reconnection: false, forceNew: true });
    fakes.push(raw);
    await new Promise((r) => raw.once('connect', () => r(undefined)));
    raw.emit('message', { type: 'CALLING', payload: { fromId: 'ghost', toId: 'guest-1', sessionId: 'g1', config: { stun: [], turn: [], icePolicy: 'all' } } });

    const fake = fakeParticipant(server.url, roomId, 'bot-2');
    await until(() => fake.got.find((m) => m.type === 'JOIN'), 5000, 'JOIN from guest');
    fake.send('CALLING', { toId: 'guest-1', sessionId: 'sess-a', config: { stun: [], turn: [], icePolicy: 'all' } });
    const answer = await until(() => fake.got.find((m) => m.type === 'ANSWER_CALL'), 5000, 'ANSWER_CALL');
    expect(answer.payload).toMatchObject({ fromId: 'guest-1', toId: 'bot-2', sessionId: 'sess-a', audioEnabled: true, videoEnabled: true });
    const t0 = answer.at;
    const restart = await until(() => fake.got.find((m) => m.type === 'RESTART_CALL'), 10_000, 'RESTART_CALL');
    expect(restart.payload).toMatchObject({ fromId: 'guest-1', toId: 'bot-2', sessionId: 'sess-a' });
    expect(restart.at - t0).toBeGreaterThan(2500);
    const st = await guest.stats();
    expect(st.peers['ghost']).toBeUndefined();
    expect(st.peers['bot-2']!.restartsNoStream).toBe(1);
  });
});
