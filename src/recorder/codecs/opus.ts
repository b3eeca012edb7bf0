import type { Depacketizer } from './depacketizer';

/** Opus (RFC 7587): one packet is one frame. */
export const opusDepacketizer: Depacketizer = {
  codec: 'opus',
  isFrameStart: () => true,
  depacketize: (payloads) => (payloads.length === 1 ? (payloads[0] as Buffer) : null),
  isKeyframe: () => true,
};

const SILK_MS = [10, 20, 40, 60];
const CELT_MS = [2.5, 5, 10, 20];

/** Duration of an Opus packet in 48 kHz samples from its TOC byte (RFC 6716 section 3.1); 0 if invalid. */
export function opusPacketSamples(p: Buffer): number {
  if (p.length < 1) return 0;
  const toc = p[0] as number;
  const config = toc >> 3;
  let ms: number;
  if (config < 12) ms = SILK_MS[config & 3] as number;
  else if (config < 16) ms = config & 1 ? 20 : 10;
  else ms = CELT_MS[config & 3] as number;
  const c = toc & 3;
  let frames = 1;
  if (c === 1 || c === 2) frames = 2;
  else if (c === 3) frames = p.length > 1 ? (p[1] as number) & 0x3f : 0;
  return Math.round(ms * 48 * frames);
}
