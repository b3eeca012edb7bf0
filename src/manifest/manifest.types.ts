/**
 * The recording manifest: the durable record of a recording (stored as
 * recordings/{recordingId}/manifest.json locally in the spool and in object storage).
 * All wall times are epoch milliseconds (UTC); `sessionStartMs` is the session clock's zero.
 */
export type RecordingStatus =
  | 'pending'
  | 'joining'
  | 'recording'
  | 'processing'
  | 'completed'
  | 'failed'
  | 'deleted';

export type TrackKind = 'audio' | 'video';

export interface ManifestParticipant {
  participantId: string;
  name: string;
  firstSeenMs: number;
  lastSeenMs?: number;
}

export interface ManifestTrack {
  /** Stable key used in object keys: 'audio', 'video', or '<kind>-<trackId>' for extra tracks. */
  trackKey: string;
  participantId: string;
  kind: TrackKind;
  /** e.g. 'audio/opus', 'video/VP8' */
  codec: string;
  clockRate: number;
  /** Which bot part (rejoin) recorded it. */
  part: number;
  startedMs: number;
  endedMs?: number;
}

export interface SegmentTimeline {
  firstRtpTimestamp: number;
  lastRtpTimestamp: number;
  /** Arrival wall time of the first/last packet written. */
  firstArrivalMs: number;
  lastArrivalMs: number;
  /** Media timestamps of the first/last frame in the file, in ms from the file start. */
  durationMs: number;
  /** RTCP sender report mapping, when one arrived: NTP wall time (ms) at rtpTimestamp. */
  srNtpMs?: number;
  srRtpTimestamp?: number;
}

export interface ManifestSegment {
  participantId: string;
  trackKey: string;
  seq: number;
  part: number;
  /** 'webm' or 'mkv' */
  container: string;
  localPath?: string;
  /** Object key once uploaded (staging). */
  key?: string;
  size?: number;
  md5?: string;
  frames: number;
  keyframes: number;
  recovered?: boolean;
  timeline: SegmentTimeline;
  closedMs: number;
  uploadedMs?: number;
}

/**
 * Why a participant's track has no media for an interval. `not-connected`: the participant was in
 * the call but had no call with the bot (or did not answer ours); `negotiating`: in a call with the
 * bot, no media yet. Both are written for each expected kind (trackKey `audio` and `video`), also
 * for a participant that never had a track.
 */
export type GapReason = 'mute' | 'loss' | 'outage' | 'ice-restart' | 'crash' | 'corrupt' | 'not-joined' | 'not-connected' | 'negotiating';

export interface ManifestGap {
  participantId: string;
  trackKey: string;
  startMs: number;
  endMs: number;
  reason: GapReason;
}

/** One participant's time in the call without media (not-connected/negotiating gaps), merged. */
export interface ParticipantNotRecorded {
  participantId: string;
  name: string;
  /** Total not-recorded time (union of the intervals). */
  notRecordedMs: number;
  byReason: Partial<Record<GapReason, number>>;
  /** First not-recorded moment (epoch ms). */
  firstMs: number;
  /** Nothing of this participant was recorded at all. */
  neverRecorded: boolean;
}

/** Set when the recording is published: whether everyone in the call was recorded throughout. */
export interface StatusDetails {
  /** No participant has a not-connected/negotiating interval. */
  complete: boolean;
  notRecorded: ParticipantNotRecorded[];
}

export interface ManifestOutput {
  kind: 'speaker' | 'mix' | 'speaker-mp4' | 'transcript';
  participantId?: string;
  key: string;
  size: number;
  md5: string;
  durationMs?: number;
  format?: string;
  createdMs: number;
}

export interface ManifestPart {
  part: number;
  botId: string;
  startedMs: number;
  endedMs?: number;
  endReason?: string;
}

export interface StatusChange {
  status: RecordingStatus;
  atMs: number;
  reason?: string;
}

export interface WebhookDelivery {
  event: string;
  url: string;
  webhookId: string;
  attempt: number;
  status?: number;
  ok: boolean;
  atMs: number;
  error?: string;
}

export interface RecordingManifest {
  version: 1;
  recordingId: string;
  roomId: string;
  signalingUrl?: string;
  status: RecordingStatus;
  sessionStartMs: number;
  sessionEndMs?: number;
  participants: ManifestParticipant[];
  tracks: ManifestTrack[];
  segments: ManifestSegment[];
  gaps: ManifestGap[];
  parts: ManifestPart[];
  outputs: ManifestOutput[];
  statusHistory: StatusChange[];
  webhooks: WebhookDelivery[];
  /** Who has holes, and how long (set by Publish; see coverage-summary.ts). */
  statusDetails?: StatusDetails;
  /** Free-form options the recording was started with (retention, transcription, ...). */
  options?: Record<string, unknown>;
}
