/** Video codecs the bot can send its REC tile in (each pre-encoded once by ffmpeg). */
export const BOT_VIDEO_CODECS = ['VP8', 'VP9', 'H264', 'AV1'] as const;
export type BotVideoCodec = (typeof BOT_VIDEO_CODECS)[number];

/** What werift negotiated for one sender: its first non-RTX/RED codec. */
export interface NegotiatedCodec {
  mimeType: string;
  payloadType?: number;
  parameters?: string;
}

/** fmtp `a=b;c=d` into a map (keys lower-case). */
export function parseFmtp(parameters: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (parameters ?? '').split(';')) {
    const [k, v] = part.split('=');
    if (k && k.trim()) out.set(k.trim().toLowerCase(), (v ?? '').trim());
  }
  return out;
}

/**
 * H264 profile_idc values whose decoders also decode our constrained-baseline tile (42c0xx):
 * constrained baseline is the common subset of baseline (0x42), main (0x4d), extended (0x58),
 * high (0x64) and the high 4:4:4 predictive profile (0xf4) Chromium offers.
 */
const H264_PROFILES_DECODING_CB = new Set([0x42, 0x4d, 0x58, 0x64, 0x6e, 0x7a, 0xf4]);

/**
 * Which pre-encoded tile fits what a peer negotiated, or undefined when none does (the bot then
 * sends no video to that peer; its audio still gives the app a remote stream).
 * H264: our tile is constrained baseline with every NAL unit in one RTP packet (no STAP-A, no FU-A),
 * which is valid for packetization-mode 0 and 1 and decodable by every profile listed above.
 */
export function botVideoCodecFor(codec: NegotiatedCodec | undefined): BotVideoCodec | undefined {
  if (!codec) return undefined;
  const name = codec.mimeType.split('/')[1]?.toUpperCase();
  if (name === 'VP8' || name === 'AV1') return name;
  // Our tile is VP9 profile 0 (8-bit 4:2:0), which every VP9 profile's decoder decodes (Chromium offers 0 and 2).
  if (name === 'VP9') return 'VP9';
  if (name === 'H264') {
    const fmtp = parseFmtp(codec.parameters);
    const mode = fmtp.get('packetization-mode') ?? '0';
    if (mode !== '0' && mode !== '1') return undefined; // mode 2 (interleaved) is not offered by browsers
    const pli = fmtp.get('profile-level-id');
    if (pli === undefined) return 'H264'; // default: constrained baseline
    const idc = Number.parseInt(pli.slice(0, 2), 16);
    return /^[0-9a-f]{6}$/i.test(pli) && H264_PROFILES_DECODING_CB.has(idc) ? 'H264' : undefined;
  }
  return undefined;
}
