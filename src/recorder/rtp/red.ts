/** One block of an RFC 2198 RED payload. */
export interface RedBlock {
  payloadType: number;
  /** How far before the packet's timestamp this block's media is (0 for the primary). */
  timestampOffset: number;
  data: Buffer;
}

/**
 * Parse an RFC 2198 (audio/red) payload into its blocks, oldest redundancy first and the primary last.
 * Returns null when malformed.
 */
export function parseRed(payload: Buffer): RedBlock[] | null {
  const heads: { pt: number; off: number; len: number }[] = [];
  let o = 0;
  for (;;) {
    const b = payload[o];
    if (b === undefined) return null;
    if (!(b & 0x80)) {
      heads.push({ pt: b & 0x7f, off: 0, len: -1 });
      o += 1;
      break;
    }
    if (o + 4 > payload.length) return null;
    const v = payload.readUInt32BE(o);
    heads.push({ pt: (v >>> 24) & 0x7f, off: (v >>> 10) & 0x3fff, len: v & 0x3ff });
    o += 4;
  }
  const blocks: RedBlock[] = [];
  for (const h of heads) {
    const len = h.len < 0 ? payload.length - o : h.len;
    if (len < 0 || o + len > payload.length) return null;
    blocks.push({ payloadType: h.pt, timestampOffset: h.off, data: payload.subarray(o, o + len) });
    o += len;
  }
  return blocks;
}
