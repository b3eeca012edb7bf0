/** Largest RTP payload we produce (keeps packets under a 1200-byte MTU with SRTP + extensions). */
export const MAX_RTP_PAYLOAD_BYTES = 1100;

/**
 * Split one VP8 frame into RTP payloads (RFC 7741): payload descriptor with X=1, I=1 and a
 * 15-bit picture id; S=1 on the first packet of the frame. The caller sets the marker bit on the
 * last payload.
 */
export function packetizeVp8(frame: Buffer, pictureId: number, maxPayload = MAX_RTP_PAYLOAD_BYTES): Buffer[] {
  const headerLen = 4;
  const chunk = maxPayload - headerLen;
  const out: Buffer[] = [];
  const pid = pictureId & 0x7fff;
  for (let off = 0; off < frame.length || out.length === 0; off += chunk) {
    const part = frame.subarray(off, Math.min(frame.length, off + chunk));
    const desc = Buffer.from([off === 0 ? 0x90 : 0x80, 0x80, 0x80 | (pid >> 8), pid & 0xff]);
    out.push(Buffer.concat([desc, part]));
    if (frame.length === 0) break;
  }
  return out;
}

/** Opus needs no packetization: one Opus packet is one RTP payload (RFC 7587). */
export function packetizeOpus(packet: Buffer): Buffer[] {
  return [packet];
}
