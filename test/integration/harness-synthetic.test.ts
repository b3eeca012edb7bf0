import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackOnlyPeerConfig } from '../../src/bot/peer-config';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { loadSyntheticMedia } from '../../src/testworld/synthetic/synthetic-media';
import { SyntheticParticipant } from '../../src/testworld/synthetic/synthetic-participant';

jest.setTimeout(40_000);

const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout waiting for condition');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('synthetic participants (werift, real DTLS/SRTP, reference signaling server)', () => {
  let server: SignalingServerHandle;
  const people: SyntheticParticipant[] = [];
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(async () => {
    await Promise.all(people.map((p) => p.leave()));
    await server.close();
  });

  it('host admits a participant; media flows both ways; counters agree roughly', async () => {
    const media = await loadSyntheticMedia(join(tmpdir(), 'recbot-media-cache'));
    const roomId = randomUUID();
    const mk = (name: string, host: boolean): SyntheticParticipant => {
      const p = new SyntheticParticipant({ url: server.url, roomId, name, host, media, peerConfigOverrides: loopbackOnlyPeerConfig() });
      people.push(p);
      return p;
    };
    const host = mk('Host', true);
    const guest = mk('Guest', false);
    await host.join();
    await guest.join();
    await until(() => host.peerStates()[guest.id] === 'connected' && guest.peerStates()[host.id] === 'connected', 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    for (const [rx, tx] of [[host, guest], [guest, host]] as const) {
      const a = rx.received.total(tx.id, 'audio');
      const v = rx.received.total(tx.id, 'video');
      expect(a.packets).toBeGreaterThan(100); // 50 packets/s
      expect(v.frames).toBeGreaterThan(60); // 30 fps
    }
    expect(host.events.callsStarted).toBe(1);
    expect(guest.events.callsAccepted).toBe(1);
    expect(host.audio.stats.packetsSent).toBeGreaterThanOrEqual(guest.received.total(host.id, 'audio').packets);
    expect(guest.signaling.counters.pingsAnswered).toBeGreaterThan(0);
  });
});
