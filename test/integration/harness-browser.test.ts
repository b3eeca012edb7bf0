import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant, type BrowserPageState } from '../../src/testworld/browser/browser-participant';
import { startCoturn, type Coturn } from '../support/coturn';

jest.setTimeout(120_000);

let server: SignalingServerHandle | undefined;
let coturn: Coturn | undefined;
const browsers: BrowserParticipant[] = [];

afterEach(async () => {
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

async function launchPair(extra: { iceServers?: { urls: string; username?: string; credential?: string }[]; icePolicy?: 'all' | 'relay'; codec?: string }) {
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

    await guest.leave();
    await host.waitFor((s) => !s.seen['guest-1'] && s.peers['guest-1']?.connectionState === 'closed', 10_000);
  });

  it('relay-only call through coturn uses a relay candidate pair', async () => {
    coturn = await startCoturn();
    server = await startSignalingServer();
    const iceServers = [{ urls: coturn.udpUrl, username: coturn.username, credential: coturn.credential }];
    const { host, guest } = await launchPair({ iceServers, icePolicy: 'relay' });
    const h = await host.waitFor(mediaBothWays('guest-1'), 30_000);
    const g = await guest.waitFor(mediaBothWays('host-1'), 30_000);
    for (const [s, remote] of [[h, 'guest-1'], [g, 'host-1']] as const) {
      const pair = peerOf(s, remote).stats?.selectedPair;
      expect(pair?.localType).toBe('relay');
      expect(pair?.relayProtocol).toBe('udp');
    }
  });
});
