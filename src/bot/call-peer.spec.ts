import { MediaStreamTrack } from 'werift';
import { createLogger } from '../common/logger';
import { CallPeer, ntpToUnixMs } from './call-peer';
import { CHROME_OFFER_SDP } from './chrome-offer.fixture';
import { buildPeerConfig, loopbackOnlyPeerConfig } from './peer-config';
import { stripCongestionFeedback } from './sdp-filter';

jest.setTimeout(20_000);

describe('CallPeer answering a Chromium offer', () => {
  let peer: CallPeer;
  let answer = '';
  beforeAll(async () => {
    const cfg = buildPeerConfig(
      { iceServers: [{ urls: 'stun:127.0.0.1:9' }], iceTransportPolicy: 'all' },
      { iceServers: [], iceTransportPolicy: 'all' },
      { ...loopbackOnlyPeerConfig(), iceStunGatherTimeout: 1 },
    );
    expect(cfg.iceServers).toEqual([{ urls: 'stun:127.0.0.1:9', username: undefined, credential: undefined }]);
    // werift takes the first TURN: the operator's ICE_SERVERS go before the call's
    const both = buildPeerConfig({ iceServers: [{ urls: 'turn:app:3478', username: 'a', credential: 'b' }] }, { iceServers: [{ urls: 'turns:ops:5349', username: 'o', credential: 'p' }], iceTransportPolicy: 'all' });
    expect(both.iceServers?.map((x) => x.urls)).toEqual(['turns:ops:5349', 'turn:app:3478']);
    peer = new CallPeer({
      remoteId: 'chrome',
      peerConfig: cfg,
      local: { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) },
      log: createLogger({}),
      onTrack: () => undefined,
      onConnectionState: () => undefined,
    });
    peer.addCandidate({ candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 9 typ host', sdpMid: '0' }); // buffered
    answer = (await peer.answer(CHROME_OFFER_SDP)).sdp;
  });
  afterAll(() => peer.close());

  it('never negotiates transport-cc (header extension or feedback) nor REMB', () => {
    expect(answer).not.toMatch(/transport-cc|transport-wide-cc/);
    expect(answer).not.toMatch(/goog-remb/);
  });

  it('accepts VP8 first with RTX, other video codecs, and RED for audio', () => {
    const video = answer.slice(answer.indexOf('m=video'));
    expect(video).toMatch(/^m=video \d+ UDP\/TLS\/RTP\/SAVPF 96 97 /);
    expect(video).toMatch(/a=rtpmap:97 rtx\/90000/);
    expect(video).toMatch(/a=fmtp:97 apt=96/);
    expect(video).toMatch(/a=rtpmap:98 VP9\/90000/);
    expect(video).toMatch(/a=rtcp-fb:96 nack pli/);
    const audio = answer.slice(0, answer.indexOf('m=video'));
    expect(audio).toMatch(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF 111 63/);
    expect(audio).toMatch(/a=rtpmap:63 red\/48000\/2/);
  });

  it('sends media back on both m-lines with gathered candidates inside the SDP', () => {
    expect(answer.match(/a=sendrecv/g)).toHaveLength(2);
    expect(answer).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);
    expect(answer).not.toContain('a=ice-ufrag:abcd');
  });

  it('stripCongestionFeedback keeps everything else', () => {
    const out = stripCongestionFeedback(CHROME_OFFER_SDP);
    expect(out).not.toMatch(/transport-cc|goog-remb|transport-wide-cc/);
    expect(CHROME_OFFER_SDP.split('\r\n').length - out.split('\r\n').length).toBe(8);
    expect(out).toContain('a=rtcp-fb:96 nack pli');
  });

  it('never falls back to werift\'s default public STUN server', () => {
    const empty = new CallPeer({
      remoteId: 'x',
      peerConfig: buildPeerConfig(undefined, { iceServers: [], iceTransportPolicy: 'relay' }),
      local: {},
      log: createLogger({}),
      onTrack: () => undefined,
      onConnectionState: () => undefined,
    });
    expect(empty.pc.config.iceServers).toEqual([]);
    expect(empty.pc.config.iceTransportPolicy).toBe('relay');
    void empty.close();
  });

  it('converts NTP timestamps to Unix ms', () => {
    const unixSec = 1_700_000_000;
    const ntp = (BigInt(unixSec + 2_208_988_800) << 32n) | BigInt(2 ** 31);
    expect(ntpToUnixMs(ntp)).toBeCloseTo(unixSec * 1000 + 500, 3);
  });
});
