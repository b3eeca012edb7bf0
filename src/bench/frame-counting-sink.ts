import type { RtpPacket } from 'werift';
import type { InboundTrackInfo, TrackControls, TrackSink, TrackSinkFactory } from '../recorder/track-sink';

/** What reached one recorder sink: packets with payload and frames (distinct RTP timestamps). */
export interface InboundCount {
  participantId: string;
  kind: 'audio' | 'video';
  packets: number;
  frames: number;
}

/** Distinct timestamps remembered per track to recognise a late packet of a frame already counted. */
const RECENT = 64;

/**
 * Wraps a TrackSinkFactory and counts what the bot hands to each sink, so that "received" is
 * measured the same way for every recorder under test. A frame is a distinct RTP timestamp (one
 * Opus packet or one video picture); a small ring of recent timestamps keeps retransmitted packets
 * of an earlier frame from counting twice, with O(1) memory per track.
 */
export class FrameCountingSinkFactory implements TrackSinkFactory {
  readonly counts: InboundCount[] = [];
  /** Every sink the inner factory made, in creation order (a restarted track gets a new one). */
  readonly sinks: TrackSink[] = [];

  constructor(private readonly inner: TrackSinkFactory) {}

  createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink {
    const inner = this.inner.createTrackSink(info, controls);
    this.sinks.push(inner);
    const c: InboundCount = { participantId: info.participantId, kind: info.kind === 'audio' ? 'audio' : 'video', packets: 0, frames: 0 };
    this.counts.push(c);
    const recent = new Float64Array(RECENT).fill(-1);
    let pos = 0;
    let last = -1;
    let closed = false;
    return {
      onRtp(p: RtpPacket, arrivalMs: number): void {
        if (!closed && p.payload.length > 0) {
          c.packets++;
          const ts = p.header.timestamp;
          if (ts !== last && !recent.includes(ts)) {
            c.frames++;
            recent[pos] = ts;
            pos = (pos + 1) % RECENT;
          }
          last = ts;
        }
        inner.onRtp(p, arrivalMs);
      },
      onSenderReport: (sr) => inner.onSenderReport?.(sr),
      onPause: (reason, atMs) => inner.onPause?.(reason, atMs),
      onResume: (atMs) => inner.onResume?.(atMs),
      close(): Promise<void> {
        closed = true;
        return inner.close();
      },
    };
  }

  /** Totals per kind. */
  totals(): Record<'audio' | 'video', { packets: number; frames: number; tracks: number }> {
    const t = { audio: { packets: 0, frames: 0, tracks: 0 }, video: { packets: 0, frames: 0, tracks: 0 } };
    for (const c of this.counts) {
      t[c.kind].packets += c.packets;
      t[c.kind].frames += c.frames;
      t[c.kind].tracks++;
    }
    return t;
  }
}
