/**
 * The bot's ICE network settings reach werift: with ICE_UDP_PORT_RANGE every host candidate the bot
 * offers uses a port in the range (so the connected pair does too), the call still connects over real
 * DTLS/SRTP; a bad range is a config error naming the variable.
 */
import { MediaStreamTrack } from 'werift';
import { CallPeer } from '../../src/bot/call-peer';
import { networkOverrides } from '../../src/bot/bot-settings';
import { buildPeerConfig, loopbackOnlyPeerConfig } from '../../src/bot/peer-config';
import { createLogger } from '../../src/common/logger';
import { ConfigError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config.schema';

jest.setTimeout(30_000);

const ports = (sdp: string): number[] => [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gim)].map((m) => Number(m[1]));

describe('bot ICE network settings (two werift peers on loopback)', () => {
  it('ICE_UDP_PORT_RANGE: every host candidate uses a port in the range and the call connects', async () => {
    const config = loadConfig({ ICE_UDP_PORT_RANGE: '47100-47140', ICE_HOST_ADDRESSES: '127.0.0.1', ICE_LOOPBACK_ONLY: 'true' });
    expect(config.ICE_UDP_PORT_RANGE).toEqual([47100, 47140]);
    const overrides = networkOverrides(config).peerConfigOverrides ?? {};
    expect(overrides.icePortRange).toEqual([47100, 47140]);
    expect(overrides.iceAdditionalHostAddresses).toEqual(['127.0.0.1']);
    const mk = (name: string, o: object): CallPeer =>
      new CallPeer({
        remoteId: name,
        peerConfig: buildPeerConfig(undefined, { iceServers: [], iceTransportPolicy: 'all' }, o),
        local: { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) },
        log: createLogger({ name }),
        onTrack: () => undefined,
        onConnectionState: () => undefined,
      });
    const bot = mk('bot', overrides);
    const other = mk('other', loopbackOnlyPeerConfig());
    try {
      const offer = await bot.offer();
      const offered = ports(offer.sdp);
      expect(offered.length).toBeGreaterThan(0);
      for (const p of offered) expect(p >= 47100 && p <= 47140).toBe(true);
      const answer = await other.answer(offer.sdp);
      expect(ports(answer.sdp).some((p) => p < 47100 || p > 47140)).toBe(true); // the other side is unconstrained
      await bot.applyAnswer(answer.sdp);
      const t0 = Date.now();
      while (bot.connectionState !== 'connected' && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(bot.connectionState).toBe('connected');
    } finally {
      await Promise.all([bot.close(), other.close()]);
    }
  });

  it('a bad range or address is a config error naming the variable', () => {
    for (const env of [{ ICE_UDP_PORT_RANGE: '5000' }, { ICE_UDP_PORT_RANGE: '6000-5000' }, { ICE_UDP_PORT_RANGE: '80-90' }, { ICE_HOST_ADDRESSES: '10.0.0.1,nope' }]) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toContain(Object.keys(env)[0]);
    }
  });
});
