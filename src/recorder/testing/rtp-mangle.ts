/**
 * Test support: reshape captured RTP like a real network and Chrome would (padding-only packets,
 * reordering, duplicates, loss, sequence wrap-around) and feed it to a TrackSink.
 */
import { RtpHeader, RtpPacket } from 'werift';
import type { TrackSink } from '../track-sink';

export interface MangleOptions {
  /** First sequence number after renumbering (e.g. 65500 to cross the wrap). */
  startSeq?: number;
  /** Insert a padding-only packet after every Nth packet (0 = none). */
  paddingEvery?: number;
  /** Swap packet pairs every Nth packet (0 = none). */
  swapEvery?: number;
  /** Duplicate every Nth packet (0 = none). */
  duplicateEvery?: number;
  /** Indexes (in the renumbered stream) of packets to drop. */
  drop?: number[];
}

function clone(p: RtpPacket, seq: number, payload = p.payload): RtpPacket {
  const h = p.header;
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: h.timestamp, marker: h.marker, payloadType: h.payloadType, ssrc: h.ssrc }), payload);
}

/** Renumber, add padding, then reorder/duplicate/drop. Returns the packets in "arrival" order. */
export function mangle(src: readonly RtpPacket[], o: MangleOptions = {}): RtpPacket[] {
  let seq = o.startSeq ?? (src[0]?.header.sequenceNumber ?? 0);
  const out: RtpPacket[] = [];
  src.forEach((p, i) => {
    out.push(clone(p, seq & 0xffff));
    seq++;
    if (o.paddingEvery && i % o.paddingEvery === o.paddingEvery - 1) {
      const pad = clone(p, seq & 0xffff, Buffer.alloc(0));
      pad.header.marker = false;
      pad.header.padding = true;
      out.push(pad);
      seq++;
    }
  });
  const drop = new Set(o.drop ?? []);
  const kept = out.filter((_, i) => !drop.has(i));
  if (o.swapEvery) {
    for (let i = o.swapEvery; i + 1 < kept.length; i += o.swapEvery) {
      const a = kept[i] as RtpPacket;
      kept[i] = kept[i + 1] as RtpPacket;
      kept[i + 1] = a;
    }
  }
  if (o.duplicateEvery) {
    for (let i = kept.length - 1; i > 0; i--) if (i % o.duplicateEvery === 0) kept.splice(i, 0, kept[i] as RtpPacket);
  }
  return kept;
}

/**
 * Feed packets with arrival times derived from their RTP timestamps (real-time pacing without
 * waiting), advancing the clock `setNow` that the recorder under test reads.
 */
export function feed(sink: TrackSink, packets: readonly RtpPacket[], clockRate: number, startMs: number, setNow: (ms: number) => void): number {
  const first = packets[0];
  if (!first) return startMs;
  const ts0 = first.header.timestamp;
  let last = startMs;
  for (const p of packets) {
    const dt = (((p.header.timestamp - ts0) | 0) / clockRate) * 1000;
    last = Math.max(last, startMs + dt);
    setNow(last);
    sink.onRtp(p, last);
  }
  return last;
}
