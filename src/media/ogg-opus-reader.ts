/** One Opus packet from an Ogg/Opus file with its duration in 48 kHz samples. */
export interface OpusPacket {
  data: Buffer;
  samples: number;
}

const OGG_MAGIC = 0x4f676753; // "OggS"

/**
 * Parse an Ogg/Opus file into Opus packets (header packets OpusHead/OpusTags skipped).
 * Throws on a truncated or non-Ogg buffer.
 */
export function readOggOpus(file: Buffer): OpusPacket[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let pos = 0;
  while (pos + 27 <= file.length) {
    if (file.readUInt32BE(pos) !== OGG_MAGIC) throw new Error(`ogg: bad page magic at ${pos}`);
    const segCount = file.readUInt8(pos + 26);
    const table = file.subarray(pos + 27, pos + 27 + segCount);
    if (table.length !== segCount) throw new Error('ogg: truncated segment table');
    let body = pos + 27 + segCount;
    for (const lace of table) {
      if (body + lace > file.length) throw new Error('ogg: truncated page body');
      partial.push(file.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    pos = body;
  }
  const out: OpusPacket[] = [];
  for (const p of packets) {
    if (p.length >= 8 && (p.subarray(0, 8).toString() === 'OpusHead' || p.subarray(0, 8).toString() === 'OpusTags')) {
      continue;
    }
    if (p.length === 0) continue;
    out.push({ data: p, samples: opusPacketSamples(p) });
  }
  return out;
}

/** Duration of one Opus packet in 48 kHz samples, from its TOC byte (RFC 6716 section 3.1). */
export function opusPacketSamples(packet: Buffer): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config % 4] ?? 960;
  else if (config < 16) frameSamples = config % 2 === 0 ? 480 : 960;
  else frameSamples = [120, 240, 480, 960][config % 4] ?? 960;
  const code = toc & 3;
  let frames = 1;
  if (code === 1 || code === 2) frames = 2;
  else if (code === 3) frames = (packet[1] ?? 1) & 0x3f;
  return frameSamples * frames;
}
