/**
 * Test support: ffmpeg 5.1 has no AV1 RTP packetizer, so tests packetize its low-overhead OBU
 * output (`-f obu`) per the AOM AV1 RTP spec themselves (W=0 elements with LEB128 lengths,
 * fragmentation with Z/Y, N on key frames, temporal delimiters removed, obu_size stripped).
 */
import { RtpHeader, RtpPacket } from 'werift';
import { leb128, readLeb128 } from '../codecs/av1';

/** Split a low-overhead OBU stream into temporal units of OBUs without size fields (TDs dropped). */
export function temporalUnits(stream: Buffer): Buffer[][] {
  const tus: Buffer[][] = [];
  for (let o = 0; o < stream.length;) {
    const h = stream[o] as number;
    const hl = h & 0x04 ? 2 : 1;
    const [size, n] = readLeb128(stream, o + hl);
    if (!(h & 0x02) || n === 0) throw new Error('OBU without size in a low-overhead stream');
    const type = (h >> 3) & 0x0f;
    const payload = stream.subarray(o + hl + n, o + hl + n + size);
    if (type === 2) tus.push([]);
    else {
      const head = Buffer.from(stream.subarray(o, o + hl));
      head[0] = h & ~0x02;
      tus[tus.length - 1]?.push(Buffer.concat([head, payload]));
    }
    o += hl + n + size;
  }
  return tus.filter((t) => t.length > 0);
}

/** RTP payloads for one temporal unit. */
export function packetizeTu(obus: Buffer[], mtu = 1100): Buffer[] {
  const key = obus.some((o) => (((o[0] as number) >> 3) & 0x0f) === 1);
  const payloads: Buffer[] = [];
  let cur: Buffer[] = [];
  let size = 1;
  let z = false;
  const flush = (y: boolean): void => {
    const agg = (z ? 0x80 : 0) | (y ? 0x40 : 0) | (payloads.length === 0 && key ? 0x08 : 0);
    payloads.push(Buffer.concat([Buffer.from([agg]), ...cur]));
    cur = [];
    size = 1;
    z = y; // the next packet starts with the continuation of this one's last element
  };
  for (const obu of obus) {
    let rest = obu;
    while (rest.length > 0) {
      const room = mtu - size - 3;
      if (room < 16) {
        flush(false);
        continue;
      }
      const part = rest.subarray(0, room);
      rest = rest.subarray(part.length);
      cur.push(leb128(part.length), part);
      size += part.length + leb128(part.length).length;
      if (rest.length > 0) flush(true);
    }
  }
  if (cur.length) flush(false);
  return payloads;
}

/** RTP packets (90 kHz, `fps`) for an OBU stream. */
export function av1RtpPackets(stream: Buffer, fps: number, startSeq = 1000): RtpPacket[] {
  const out: RtpPacket[] = [];
  let seq = startSeq;
  temporalUnits(stream).forEach((tu, i) => {
    const payloads = packetizeTu(tu);
    payloads.forEach((p, k) => {
      out.push(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: Math.round((i * 90000) / fps), marker: k === payloads.length - 1, payloadType: 45, ssrc: 7 }), p));
    });
  });
  return out;
}
