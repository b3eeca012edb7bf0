import { Av1Packetizer, Vp9Packetizer } from 'werift';

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

/**
 * One H.264 access unit as RTP payloads: each NAL unit in its own single-NAL-unit packet (RFC 6184
 * §5.6: the payload is the NAL unit itself), so the stream suits packetization-mode 0 and 1 alike.
 * werift's H264Packetizer would put SPS+PPS in a STAP-A, which a mode-0 peer cannot take. The tile
 * is encoded with x264 `slice-max-size` so that every NAL unit fits; a larger one is an error.
 */
export function packetizeH264SingleNal(nals: Buffer[], maxPayload = MAX_RTP_PAYLOAD_BYTES): Buffer[] {
  for (const n of nals) if (n.length > maxPayload) throw new Error(`H264 NAL unit of ${n.length} bytes exceeds ${maxPayload} (single NAL mode)`);
  return nals;
}

/** One VP9 frame as RTP payloads (RFC 9628), by werift's packetizer: 1-byte descriptor with P/B/E. */
export function packetizeVp9(frame: Buffer, keyframe: boolean, maxPayload = MAX_RTP_PAYLOAD_BYTES): Buffer[] {
  return new Vp9Packetizer({ maxPayloadSize: maxPayload }).packetize(frame, 0, { isKeyframe: keyframe }).map((p) => p.payload);
}

/**
 * One AV1 temporal unit (OBUs with size fields, as in IVF) as RTP payloads, by werift's packetizer
 * (AV1 RTP spec: aggregation header, temporal delimiters dropped, size fields removed, N=1 on the
 * first packet of a key frame that carries a sequence header).
 */
export function packetizeAv1(temporalUnit: Buffer, keyframe: boolean, maxPayload = MAX_RTP_PAYLOAD_BYTES): Buffer[] {
  return new Av1Packetizer({ maxPayloadSize: maxPayload }).packetize(temporalUnit, 0, { isKeyframe: keyframe }).map((p) => p.payload);
}
