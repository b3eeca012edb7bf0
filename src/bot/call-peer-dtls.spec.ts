import { MediaStreamTrack } from 'werift';
import { createLogger } from '../common/logger';
import { CallPeer } from './call-peer';
import { buildPeerConfig, loopbackOnlyPeerConfig } from './peer-config';

jest.setTimeout(30_000);

const peer = (remoteId: string): CallPeer =>
  new CallPeer({
    remoteId,
    peerConfig: buildPeerConfig(undefined, { iceServers: [], iceTransportPolicy: 'all' }, loopbackOnlyPeerConfig()),
    local: { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) },
    log: createLogger({}),
    onTrack: () => undefined,
    onConnectionState: () => undefined,
  });

async function connected(...ps: CallPeer[]): Promise<void> {
  const t0 = Date.now();
  while (!ps.every((p) => p.connectionState === 'connected')) {
    if (Date.now() - t0 > 15_000) throw new Error(`not connected: ${ps.map((p) => p.connectionState).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('CallPeer DTLS role (two real werift peers on loopback)', () => {
  it('the answerer takes the server role on the first answer and keeps the role it has on a re-offer (ICE restart) from the other side', async () => {
    const a = peer('b');
    const b = peer('a');
    try {
      const first = await b.answer((await a.offer()).sdp);
      expect(first.sdp).toMatch(/^a=setup:passive/m);
      await a.applyAnswer(first.sdp);
      await connected(a, b);
      expect([a.pc.dtlsTransports[0]?.role, b.pc.dtlsTransports[0]?.role]).toEqual(['client', 'server']);
      // b now offers (actpass, as every offer): a is the DTLS client and must stay one.
      const again = await a.answer((await b.offer(true)).sdp);
      expect(again.sdp).toMatch(/^a=setup:active/m);
      await b.applyAnswer(again.sdp);
      await connected(a, b);
      expect([a.pc.dtlsTransports[0]?.role, b.pc.dtlsTransports[0]?.role]).toEqual(['client', 'server']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
