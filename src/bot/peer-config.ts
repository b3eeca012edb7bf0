import {
  RTCRtpCodecParameters,
  useSdesMid,
  type PeerConfig,
  type RTCIceServer,
  type RTCRtpHeaderExtensionParameters,
} from 'werift';
import type { CallIceConfig, IceServer } from '../signaling/signaling-adapter';

const videoFeedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];

function video(mimeType: string, pt: number, parameters?: string): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({ mimeType, clockRate: 90_000, payloadType: pt, rtcpFeedback: videoFeedback, parameters }),
    new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000, payloadType: pt + 1, parameters: `apt=${pt}` }),
  ];
}

/**
 * Codecs the bot negotiates: Opus (+RED), VP8 first (our own video is VP8) then VP9, H264, AV1,
 * each with RTX. No transport-cc and no REMB: werift's feedback would throttle Chrome.
 */
export function recbotCodecs(): PeerConfig['codecs'] {
  return {
    audio: [
      new RTCRtpCodecParameters({
        mimeType: 'audio/opus',
        clockRate: 48_000,
        channels: 2,
        payloadType: 111,
        parameters: 'minptime=10;useinbandfec=1',
      }),
      new RTCRtpCodecParameters({ mimeType: 'audio/red', clockRate: 48_000, channels: 2, payloadType: 63, parameters: '111/111' }),
    ],
    video: [
      ...video('video/VP8', 96),
      ...video('video/VP9', 98, 'profile-id=0'),
      ...video('video/H264', 102, 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1'),
      ...video('video/AV1', 45),
    ],
  };
}

/** Only the MID header extension: never transport-cc. */
export function recbotHeaderExtensions(): PeerConfig['headerExtensions'] {
  const mid: RTCRtpHeaderExtensionParameters[] = [useSdesMid()];
  return { audio: mid, video: [useSdesMid()] };
}

function normaliseServers(servers: IceServer[]): RTCIceServer[] {
  return servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

/**
 * werift peer config with explicit ICE servers (configured extras, then the call's; never werift's
 * default public STUN) and policy. werift uses one STUN and one TURN server, the first of each in
 * this list, so the operator's ICE_SERVERS (which know the bot's own network) come first.
 * `stunTimeoutMs` bounds werift's wait for the STUN server (its SDP waits for gathering to end).
 * `overrides` is for tests (e.g. loopback-only candidate filters).
 */
export function buildPeerConfig(
  ice: CallIceConfig | undefined,
  extra: { iceServers: IceServer[]; iceTransportPolicy: 'all' | 'relay'; stunTimeoutMs?: number },
  overrides: Partial<PeerConfig> = {},
): Partial<PeerConfig> {
  const iceServers = normaliseServers([...extra.iceServers, ...(ice?.iceServers ?? [])]);
  const policy = ice?.iceTransportPolicy === 'relay' || extra.iceTransportPolicy === 'relay' ? 'relay' : 'all';
  return {
    codecs: recbotCodecs(),
    headerExtensions: recbotHeaderExtensions(),
    iceServers,
    iceTransportPolicy: policy,
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
    ...(extra.stunTimeoutMs !== undefined ? { iceStunGatherTimeout: extra.stunTimeoutMs / 1000 } : {}),
    ...overrides,
  };
}

/** Test/ops override: use only 127.0.0.1 host candidates (no traffic to other addresses). */
export function loopbackOnlyPeerConfig(): Partial<PeerConfig> {
  return {
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === '127.0.0.1',
  };
}
