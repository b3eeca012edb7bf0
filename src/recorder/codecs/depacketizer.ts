/** A codec's RTP depacketizer: pure, stateless functions over the payloads of one frame. */
export interface Depacketizer {
  readonly codec: CodecName;
  /** True when this RTP payload is the first packet of a frame (used to judge completeness after loss). */
  isFrameStart(payload: Buffer): boolean;
  /** Reassemble one frame's bitstream from its packets' payloads, in order; null when malformed. */
  depacketize(payloads: readonly Buffer[]): Buffer | null;
  /** True when the reassembled frame can be decoded on its own (starts a decodable chain). */
  isKeyframe(frame: Buffer): boolean;
}

export type CodecName = 'opus' | 'vp8' | 'vp9' | 'h264' | 'av1';

/** Concatenate payloads, skipping `skip(i, payload)` bytes of each; null if any is malformed (<0). */
export function concatPayloads(payloads: readonly Buffer[], skip: (p: Buffer) => number): Buffer | null {
  let total = 0;
  const offs: number[] = [];
  for (const p of payloads) {
    const s = skip(p);
    if (s < 0 || s > p.length) return null;
    offs.push(s);
    total += p.length - s;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i] as Buffer;
    pos += p.copy(out, pos, offs[i]);
  }
  return out;
}
