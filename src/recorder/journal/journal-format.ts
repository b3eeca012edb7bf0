/**
 * Per-segment crash journal (`{seq:06}.journal`, beside the segment it becomes).
 *
 * Layout (all integers little-endian):
 *   file   := "RBJ1" u32:headerLen header(JSON, utf8, JournalHeader) record*
 *   record := u32:bodyLen u32:crc32(body) body
 *   body   := u8:type ...
 *     type 1 frame : u8:flags(bit0 key) f64:rtpTimestamp(extended) f64:arrivalFirstMs f64:arrivalLastMs bytes:data
 *     type 2 SR    : f64:ntpMs f64:rtpTimestamp(32-bit value) f64:arrivalMs
 * Frames are depacketized (Annex B for H.264, sized OBUs for AV1) and only those that pass the
 * key-frame gate are journaled, so a journal replays straight into a segment. A torn or corrupt
 * tail (short record or CRC mismatch) ends the journal: everything before it is kept.
 */
import { crc32 } from 'zlib';
import type { CodecName } from '../codecs/depacketizer';

export const JOURNAL_MAGIC = 'RBJ1';
export const REC_FRAME = 1;
export const REC_SR = 2;

export interface JournalHeader {
  recordingId: string;
  participantId: string;
  trackKey: string;
  seq: number;
  part: number;
  codec: CodecName;
  kind: 'audio' | 'video';
  clockRate: number;
  channels?: number;
  createdMs: number;
}

export interface JournalFrame {
  rtpTimestamp: number;
  keyframe: boolean;
  arrivalFirstMs: number;
  arrivalLastMs: number;
  data: Buffer;
}

export interface JournalSenderReport {
  ntpMs: number;
  rtpTimestamp: number;
  arrivalMs: number;
}

export function encodeHeader(h: JournalHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const b = Buffer.alloc(8);
  b.write(JOURNAL_MAGIC, 0, 'ascii');
  b.writeUInt32LE(json.length, 4);
  return Buffer.concat([b, json]);
}

/** Encode a frame record as [prefix, data] so the frame bytes are not copied. */
export function encodeFrame(f: JournalFrame): Buffer[] {
  const head = Buffer.allocUnsafe(8 + 26);
  head.writeUInt32LE(26 + f.data.length, 0);
  head[8] = REC_FRAME;
  head[9] = f.keyframe ? 1 : 0;
  head.writeDoubleLE(f.rtpTimestamp, 10);
  head.writeDoubleLE(f.arrivalFirstMs, 18);
  head.writeDoubleLE(f.arrivalLastMs, 26);
  const crc = crc32(f.data, crc32(head.subarray(8)));
  head.writeUInt32LE(crc, 4);
  return [head, f.data];
}

export function encodeSenderReport(sr: JournalSenderReport): Buffer {
  const b = Buffer.alloc(8 + 25);
  b.writeUInt32LE(25, 0);
  b[8] = REC_SR;
  b.writeDoubleLE(sr.ntpMs, 9);
  b.writeDoubleLE(sr.rtpTimestamp, 17);
  b.writeDoubleLE(sr.arrivalMs, 25);
  b.writeUInt32LE(crc32(b.subarray(8)), 4);
  return b;
}

export interface DecodedJournal {
  header: JournalHeader;
  frames: JournalFrame[];
  senderReports: JournalSenderReport[];
  /** Bytes after the last valid record (a torn write) were ignored. */
  tornBytes: number;
}

/** Decode a journal file's bytes; null when even the header is unreadable. */
export function decodeJournal(buf: Buffer): DecodedJournal | null {
  if (buf.length < 8 || buf.toString('ascii', 0, 4) !== JOURNAL_MAGIC) return null;
  const hl = buf.readUInt32LE(4);
  if (8 + hl > buf.length) return null;
  let header: JournalHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as JournalHeader;
  } catch {
    return null;
  }
  const frames: JournalFrame[] = [];
  const senderReports: JournalSenderReport[] = [];
  let o = 8 + hl;
  while (o + 8 <= buf.length) {
    const len = buf.readUInt32LE(o);
    if (len < 1 || o + 8 + len > buf.length) break;
    const body = buf.subarray(o + 8, o + 8 + len);
    if (crc32(body) !== buf.readUInt32LE(o + 4)) break;
    if (body[0] === REC_FRAME && len >= 26) {
      frames.push({
        keyframe: (body[1] as number & 1) === 1,
        rtpTimestamp: body.readDoubleLE(2),
        arrivalFirstMs: body.readDoubleLE(10),
        arrivalLastMs: body.readDoubleLE(18),
        data: body.subarray(26),
      });
    } else if (body[0] === REC_SR && len >= 25) {
      senderReports.push({ ntpMs: body.readDoubleLE(1), rtpTimestamp: body.readDoubleLE(9), arrivalMs: body.readDoubleLE(17) });
    }
    o += 8 + len;
  }
  return { header, frames, senderReports, tornBytes: buf.length - o };
}
