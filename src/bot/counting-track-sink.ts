import type { InboundTrackInfo, TrackControls, TrackSink, TrackSinkFactory } from '../recorder/track-sink';

/** Per-track counters of a {@link CountingSinkFactory}. */
export interface CountedTrack {
  info: InboundTrackInfo;
  controls: TrackControls;
  packets: number;
  /** Frames: RTP packets with the marker bit (video) or packets (audio). */
  frames: number;
  bytes: number;
  senderReports: number;
  lastArrivalMs: number;
  pauses: number;
  /** The reason of each onPause, in order ('mute' | 'outage' | 'ice-restart'). */
  pauseReasons: string[];
  resumes: number;
  closed: boolean;
}

/** A TrackSinkFactory that only counts (tests, dry runs). */
export class CountingSinkFactory implements TrackSinkFactory {
  readonly tracks: CountedTrack[] = [];

  createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink {
    const c: CountedTrack = { info, controls, packets: 0, frames: 0, bytes: 0, senderReports: 0, lastArrivalMs: 0, pauses: 0, pauseReasons: [], resumes: 0, closed: false };
    this.tracks.push(c);
    return {
      onRtp(packet, arrivalMs) {
        if (packet.payload.length === 0) return;
        c.packets++;
        c.bytes += packet.payload.length;
        if (info.kind === 'audio' || packet.header.marker) c.frames++;
        c.lastArrivalMs = arrivalMs;
      },
      onSenderReport() {
        c.senderReports++;
      },
      onPause(reason) {
        c.pauses++;
        c.pauseReasons.push(reason);
      },
      onResume() {
        c.resumes++;
      },
      close() {
        c.closed = true;
        return Promise.resolve();
      },
    };
  }

  /** Sum of packets/frames for one participant and kind, across (restarted) tracks. */
  total(participantId: string, kind: 'audio' | 'video'): { packets: number; frames: number } {
    let packets = 0;
    let frames = 0;
    for (const t of this.tracks) {
      if (t.info.participantId === participantId && t.info.kind === kind) {
        packets += t.packets;
        frames += t.frames;
      }
    }
    return { packets, frames };
  }
}
