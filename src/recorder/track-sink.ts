import type { RtpPacket } from 'werift';
import type { TrackKind } from '../manifest/manifest.types';

/** What the bot knows about an inbound track when it hands it to the recorder. */
export interface InboundTrackInfo {
  participantId: string;
  displayName: string;
  kind: TrackKind;
  /** The remote track id (MediaStreamTrack id / msid); distinguishes camera from screen share. */
  trackId: string;
  /** e.g. 'audio/opus', 'video/VP8', 'video/VP9', 'video/H264', 'video/AV1' */
  mimeType: string;
  clockRate: number;
  payloadType: number;
  channels?: number;
  /** fmtp line of the negotiated codec (H264 profile, RED, ...). */
  sdpFmtpLine?: string;
  ssrc: number;
}

/** Controls the recorder may use on the track's peer connection. */
export interface TrackControls {
  /** Ask the sender for a keyframe (PLI; FIR when `fir` is true). Throttling is the recorder's job. */
  requestKeyframe(fir?: boolean): void;
}

/** RTCP sender report data relevant for the timeline. */
export interface SenderReportInfo {
  ntpMs: number;
  rtpTimestamp: number;
  arrivalMs: number;
}

/**
 * The bot -> recorder interface. Called on the media path: implementations must never block
 * or await network I/O inside onRtp.
 */
export interface TrackSink {
  /** One inbound RTP packet (RTX already unwrapped by werift), with its arrival wall time. */
  onRtp(packet: RtpPacket, arrivalMs: number): void;
  onSenderReport?(sr: SenderReportInfo): void;
  /** The track is muted/unmuted or stalled (no packets); the recorder records a gap. */
  onPause?(reason: 'mute' | 'outage' | 'ice-restart', atMs: number): void;
  onResume?(atMs: number): void;
  /** Flush and close; idempotent. */
  close(): Promise<void>;
}

export interface TrackSinkFactory {
  createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink;
}
