import type { Depacketizer } from './depacketizer';

/** Reads a LEB128 value at `o`; returns [value, bytesRead] or [-1, 0] when truncated. */
export function readLeb128(b: Buffer, o: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[o + i];
    if (byte === undefined) return [-1, 0];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return [value, i + 1];
  }
  return [-1, 0];
}

export function leb128(value: number): Buffer {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

const OBU_SEQUENCE_HEADER = 1;
const OBU_TEMPORAL_DELIMITER = 2;
const OBU_FRAME_HEADER = 3;
const OBU_FRAME = 6;

/** Split an RTP AV1 payload into OBU elements; flags Z (first continues) and Y (last continues). */
function elements(p: Buffer): { z: boolean; y: boolean; items: Buffer[] } | null {
  if (p.length < 1) return null;
  const agg = p[0] as number;
  const w = (agg >> 4) & 3;
  const items: Buffer[] = [];
  let o = 1;
  while (o < p.length) {
    const last = w !== 0 && items.length === w - 1;
    let len = p.length - o;
    if (!last) {
      const [v, n] = readLeb128(p, o);
      if (n === 0 || o + n + v > p.length) return null;
      o += n;
      len = v;
    }
    items.push(p.subarray(o, o + len));
    o += len;
  }
  return { z: (agg & 0x80) !== 0, y: (agg & 0x40) !== 0, items };
}

/** Rewrite one OBU to carry obu_size (as Matroska/WebM requires); null for dropped OBUs. */
function withSize(obu: Buffer): Buffer | null {
  if (obu.length < 1) return null;
  const h = obu[0] as number;
  const type = (h >> 3) & 0x0f;
  if (type === OBU_TEMPORAL_DELIMITER || type === 8) return null; // TD and tile list are not stored
  if (h & 0x02) return obu; // already sized
  const hl = h & 0x04 ? 2 : 1;
  const body = obu.subarray(hl);
  const head = Buffer.from(obu.subarray(0, hl));
  head[0] = h | 0x02;
  return Buffer.concat([head, leb128(body.length), body]);
}

/** Calls fn(type, header+payload start offset, obu) for each sized OBU of a low-overhead bitstream. */
export function forEachObu(frame: Buffer, fn: (type: number, payload: Buffer, obu: Buffer) => void): void {
  let o = 0;
  while (o < frame.length) {
    const h = frame[o] as number;
    const hl = h & 0x04 ? 2 : 1;
    if (!(h & 0x02)) return fn((h >> 3) & 0x0f, frame.subarray(o + hl), frame.subarray(o));
    const [size, n] = readLeb128(frame, o + hl);
    if (n === 0) return;
    const end = o + hl + n + size;
    fn((h >> 3) & 0x0f, frame.subarray(o + hl + n, end), frame.subarray(o, end));
    o = end;
  }
}

/** AV1 (AOM RTP payload format): OBU elements -> sized OBUs, temporal delimiters dropped. */
export const av1Depacketizer: Depacketizer = {
  codec: 'av1',
  isFrameStart: (p) => ((p[0] ?? 0) & 0x80) === 0,
  depacketize(payloads) {
    const obus: Buffer[] = [];
    let pending: Buffer[] = [];
    for (const p of payloads) {
      const e = elements(p);
      if (!e) return null;
      e.items.forEach((item, i) => {
        if (i === 0 && e.z) pending.push(item);
        else {
          if (pending.length) obus.push(Buffer.concat(pending));
          pending = [item];
        }
        if (i === e.items.length - 1 && !e.y) {
          obus.push(Buffer.concat(pending));
          pending = [];
        }
      });
    }
    if (pending.length) obus.push(Buffer.concat(pending));
    const out: Buffer[] = [];
    for (const obu of obus) {
      const s = withSize(obu);
      if (s) out.push(s);
    }
    return out.length ? Buffer.concat(out) : null;
  },
  isKeyframe(frame) {
    let seq = false;
    let key = false;
    forEachObu(frame, (type, payload) => {
      if (type === OBU_SEQUENCE_HEADER) seq = true;
      else if ((type === OBU_FRAME || type === OBU_FRAME_HEADER) && payload.length > 0 && !key) {
        // uncompressed_header (reduced_still_picture_header = 0): show_existing_frame(1), frame_type(2)
        const b = payload[0] as number;
        key = (b & 0x80) === 0 && ((b >> 5) & 3) === 0;
      }
    });
    return seq && key;
  },
};

/** The first sequence header OBU (sized) of a key frame, for the av1C CodecPrivate. */
export function av1SequenceHeader(frame: Buffer): { obu: Buffer; payload: Buffer } | undefined {
  let found: { obu: Buffer; payload: Buffer } | undefined;
  forEachObu(frame, (type, payload, obu) => {
    if (type === OBU_SEQUENCE_HEADER && !found) found = { obu, payload };
  });
  return found;
}
