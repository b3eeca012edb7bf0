import * as path from 'node:path';
import { MediaStreamTrack, RTCRtpCodecParameters, RtcpSenderInfo, RtcpSrPacket } from 'werift';
import type { MediaRecorder as MediaRecorderType } from 'werift/lib/webrtc/src/nonstandard';
import type { InboundTrackInfo, SenderReportInfo, TrackSink, TrackSinkFactory } from '../recorder/track-sink';

// Runtime import through the package's export map (TypeScript's node10 resolution cannot see it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MediaRecorder } = require('werift/nonstandard') as { MediaRecorder: typeof MediaRecorderType };

const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** Unix ms to a 64-bit NTP timestamp (the inverse of the bot's ntpToUnixMs). */
export function unixMsToNtp(ms: number): bigint {
  const sec = Math.floor(ms / 1000);
  const frac = Math.round(((ms - sec * 1000) / 1000) * 2 ** 32);
  return (BigInt(sec + NTP_UNIX_OFFSET_S) << 32n) | BigInt(Math.min(frac, 2 ** 32 - 1));
}

interface Entry {
  recorder: MediaRecorderType;
  file: string;
  open: number;
  stopped?: Promise<void>;
}

/**
 * The benchmark's baseline: werift's own MediaRecorder (werift/nonstandard) with its default options,
 * one WebM file (audio + video) per participant. Each sink re-emits the bot's RTP and sender reports
 * on a stand-in MediaStreamTrack, which is what MediaRecorder subscribes to on a real remote track.
 */
export class MediaRecorderSinkFactory implements TrackSinkFactory {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly dir: string, private readonly tracksPerParticipant = 2) {}

  /** Output file per participant. */
  files(): { participantId: string; file: string }[] {
    return [...this.entries].map(([participantId, e]) => ({ participantId, file: e.file }));
  }

  createTrackSink(info: InboundTrackInfo): TrackSink {
    const codec = new RTCRtpCodecParameters({ mimeType: info.mimeType, clockRate: info.clockRate, payloadType: info.payloadType, channels: info.channels });
    const track = new MediaStreamTrack({ kind: info.kind === 'audio' ? 'audio' : 'video', codec, ssrc: info.ssrc, remote: true });
    let e = this.entries.get(info.participantId);
    if (!e) {
      const file = path.join(this.dir, `${info.participantId.replace(/[^A-Za-z0-9_-]/g, '_')}.webm`);
      e = { recorder: new MediaRecorder({ path: file, numOfTracks: this.tracksPerParticipant, width: 640, height: 360 }), file, open: 0 };
      this.entries.set(info.participantId, e);
    }
    const entry = e;
    entry.open++;
    void entry.recorder.addTrack(track).catch(() => undefined);
    let closed = false;
    return {
      onRtp: (p) => track.onReceiveRtp.execute(p),
      onSenderReport: (sr: SenderReportInfo) =>
        track.onReceiveRtcp.execute(new RtcpSrPacket({ ssrc: info.ssrc, senderInfo: new RtcpSenderInfo({ ntpTimestamp: unixMsToNtp(sr.ntpMs), rtpTimestamp: sr.rtpTimestamp }) })),
      close: async () => {
        if (closed) return entry.stopped;
        closed = true;
        entry.open--;
        if (entry.open === 0) entry.stopped ??= entry.recorder.stop().catch(() => undefined);
        await entry.stopped;
      },
    };
  }

  /** Stop every recorder (also those still waiting for their second track). */
  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => (e.stopped ??= e.recorder.stop().catch(() => undefined))));
  }
}
