import { MediaStreamTrack } from 'werift';
import { createLogger } from '../common/logger';
import { botVideoCodecFor, type NegotiatedCodec } from '../media/video-codecs';
import { CallPeer } from './call-peer';
import { CHROME_OFFER_SDP } from './chrome-offer.fixture';
import { buildPeerConfig, loopbackOnlyPeerConfig } from './peer-config';

jest.setTimeout(20_000);

/** The Chromium offer with its video m-line cut to `pts` (as setCodecPreferences does), optionally with fmtp replaced. */
function restrictVideo(pts: string[], fmtp: Record<string, string> = {}): string {
  const lines = CHROME_OFFER_SDP.split('\r\n');
  const v = lines.findIndex((l) => l.startsWith('m=video'));
  return lines
    .map((l, i) => {
      if (i < v) return l;
      if (i === v) return `m=video 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`;
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l)?.[1];
      if (pt && !pts.includes(pt)) return undefined;
      if (pt && l.startsWith('a=fmtp:') && fmtp[pt]) return `a=fmtp:${pt} ${fmtp[pt]}`;
      return l;
    })
    .filter((l): l is string => l !== undefined)
    .join('\r\n');
}

async function sendCodecFor(offer: string): Promise<NegotiatedCodec | undefined> {
  let got: NegotiatedCodec | undefined;
  const peer = new CallPeer({
    remoteId: 'chrome',
    peerConfig: buildPeerConfig(undefined, { iceServers: [], iceTransportPolicy: 'all' }, { ...loopbackOnlyPeerConfig(), iceStunGatherTimeout: 1 }),
    local: { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) },
    gatherTimeoutMs: 500,
    log: createLogger({}),
    onTrack: () => undefined,
    onConnectionState: () => undefined,
    onSendCodec: (c) => (got = c),
  });
  try {
    await peer.answer(offer);
  } finally {
    await peer.close();
  }
  return got;
}

describe('the codec the bot sends its video in, from a Chromium offer', () => {
  it.each([
    ['VP8', ['96', '97'], 96],
    ['VP9', ['98', '99'], 98],
    ['AV1', ['45', '46'], 45],
    ['H264', ['102', '103'], 102],
  ] as const)('offer restricted to %s: the tile goes out in it, on the offer\'s payload type (%s)', async (codec, pts, pt) => {
    const c = await sendCodecFor(restrictVideo([...pts]));
    expect(c?.mimeType.toUpperCase()).toBe(`VIDEO/${codec}`);
    expect(c?.payloadType).toBe(pt);
    expect(botVideoCodecFor(c)).toBe(codec);
  });

  it('H264 high profile with packetization-mode 0 (the tile is constrained baseline in single NAL units): H264', async () => {
    const c = await sendCodecFor(restrictVideo(['102', '103'], { '102': 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=64001f' }));
    expect(c?.parameters).toContain('packetization-mode=0');
    expect(botVideoCodecFor(c)).toBe('H264');
  });

  it('the full Chromium offer: werift sends its first common codec, VP8', async () => {
    expect(botVideoCodecFor(await sendCodecFor(CHROME_OFFER_SDP))).toBe('VP8');
  });

  it('no common video codec: no video sent (audio still negotiated)', async () => {
    const offer = restrictVideo(['120']).replace('a=mid:1\r\n', 'a=mid:1\r\na=rtpmap:120 H265/90000\r\n');
    expect(await sendCodecFor(offer)).toBeUndefined();
  });

  it('botVideoCodecFor: fmtp rules', () => {
    expect(botVideoCodecFor({ mimeType: 'video/H264', parameters: 'packetization-mode=2;profile-level-id=42e01f' })).toBeUndefined();
    expect(botVideoCodecFor({ mimeType: 'video/H264', parameters: 'packetization-mode=1;profile-level-id=f4001f' })).toBe('H264');
    expect(botVideoCodecFor({ mimeType: 'video/H264', parameters: 'profile-level-id=zz' })).toBeUndefined();
    expect(botVideoCodecFor({ mimeType: 'video/H264' })).toBe('H264');
    expect(botVideoCodecFor({ mimeType: 'video/VP9', parameters: 'profile-id=2' })).toBe('VP9');
    expect(botVideoCodecFor({ mimeType: 'video/H265' })).toBeUndefined();
    expect(botVideoCodecFor(undefined)).toBeUndefined();
  });
});
