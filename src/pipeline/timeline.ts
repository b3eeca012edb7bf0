import type { ManifestSegment, ManifestTrack, RecordingManifest } from '../manifest/manifest.types';
import type { OutputContainer } from './pipeline-keys';

/** A segment placed on the session clock. */
export interface PlacedSegment {
  segment: ManifestSegment;
  /** Where the segment's first frame plays, in ms from sessionStart. */
  startMs: number;
  /** Time until the next segment starts (concat `duration`); undefined for the last one. */
  slotMs?: number;
  /** Cut the segment here (ms from its start) when the next one overlaps it. */
  outpointMs?: number;
}

export interface TrackPlan {
  track: ManifestTrack;
  placed: PlacedSegment[];
}

/** Everything needed to mux one speaker. */
export interface SpeakerPlan {
  participantId: string;
  /** Output length: the whole session. */
  sessionMs: number;
  audio?: TrackPlan;
  videos: TrackPlan[];
  container: OutputContainer;
}

/** Overlaps shorter than this are left to the muxer/resampler instead of cutting the segment. */
const OVERLAP_CUT_MS = 30;

/** Signed difference a - b of two 32-bit RTP timestamps (wrap-safe). */
export function rtpDiff(a: number, b: number): number {
  return ((((a - b) % 0x1_0000_0000) + 0x1_0000_0000 + 0x8000_0000) % 0x1_0000_0000) - 0x8000_0000;
}

/** The sender's wall time (ms, sender clock) of a segment's first frame, from its RTCP SR mapping. */
export function senderWallMs(seg: ManifestSegment, clockRate: number): number | undefined {
  const t = seg.timeline;
  if (t.srNtpMs === undefined || t.srRtpTimestamp === undefined || clockRate <= 0) return undefined;
  return t.srNtpMs + (rtpDiff(t.firstRtpTimestamp, t.srRtpTimestamp) * 1000) / clockRate;
}

/**
 * Per-participant offset (our clock - sender clock) from the segments that have an SR mapping:
 * the median of arrival - senderWall. One offset for all of a participant's tracks keeps the
 * sender's own lip sync (as WebRTC receivers do) instead of each track's network delay.
 */
export function senderClockOffsetMs(segments: readonly ManifestSegment[], tracks: readonly ManifestTrack[]): number | undefined {
  const diffs: number[] = [];
  for (const s of segments) {
    const tr = tracks.find((t) => t.participantId === s.participantId && t.trackKey === s.trackKey);
    const w = tr ? senderWallMs(s, tr.clockRate) : undefined;
    if (w !== undefined) diffs.push(s.timeline.firstArrivalMs - w);
  }
  if (diffs.length === 0) return undefined;
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)];
}

/** Wall time (our clock) of a segment's first frame: SR-based when possible, else first arrival. */
export function segmentWallStartMs(seg: ManifestSegment, clockRate: number, offsetMs: number | undefined): number {
  const w = offsetMs === undefined ? undefined : senderWallMs(seg, clockRate);
  return w === undefined || offsetMs === undefined ? seg.timeline.firstArrivalMs : w + offsetMs;
}

/**
 * Place one track's segments on the session clock. Gaps stay gaps (the next segment starts at its
 * own wall time); an overlapping segment is cut where the next begins. Duplicates (same seq and
 * part) are dropped, keeping the first.
 */
export function placeTrack(
  segments: readonly ManifestSegment[],
  track: ManifestTrack,
  sessionStartMs: number,
  offsetMs?: number,
): PlacedSegment[] {
  const seen = new Set<string>();
  const sorted = segments
    .filter((s) => s.participantId === track.participantId && s.trackKey === track.trackKey)
    .filter((s) => (seen.has(`${s.part}/${s.seq}`) ? false : (seen.add(`${s.part}/${s.seq}`), true)))
    .map((s) => ({ segment: s, startMs: segmentWallStartMs(s, track.clockRate, offsetMs) - sessionStartMs }))
    .sort((a, b) => a.startMs - b.startMs);
  return sorted.map((p, i): PlacedSegment => {
    const next = sorted[i + 1];
    if (!next) return p;
    const slotMs = Math.max(1, next.startMs - p.startMs);
    const overlap = p.segment.timeline.durationMs - slotMs;
    return overlap > OVERLAP_CUT_MS ? { ...p, slotMs, outpointMs: slotMs } : { ...p, slotMs };
  });
}

/** Session length in ms: sessionEnd when known, else the last packet of any segment. */
export function sessionLengthMs(m: RecordingManifest): number {
  if (m.sessionEndMs !== undefined) return Math.max(0, m.sessionEndMs - m.sessionStartMs);
  const last = Math.max(m.sessionStartMs, ...m.segments.map((s) => s.timeline.lastArrivalMs));
  return last - m.sessionStartMs;
}

/** Participants that have at least one segment (the speakers to mux), in first-seen order. */
export function speakersOf(m: RecordingManifest): string[] {
  const ids = new Set(m.segments.map((s) => s.participantId));
  const ordered = m.participants.map((p) => p.participantId).filter((id) => ids.has(id));
  return [...ordered, ...[...ids].filter((id) => !ordered.includes(id))];
}

/** Container of a speaker's output: MKV when any video track is H264 (WebM cannot hold it), else WebM. */
export function speakerContainer(m: RecordingManifest, participantId: string): OutputContainer {
  const h264 = m.tracks.some((t) => t.participantId === participantId && t.kind === 'video' && /h264/i.test(t.codec));
  return h264 ? 'mkv' : 'webm';
}

/** Plan one speaker's mux: the first audio track (by start) and every video track, each placed. */
export function planSpeaker(m: RecordingManifest, participantId: string): SpeakerPlan {
  const mine = m.segments.filter((s) => s.participantId === participantId);
  const offset = senderClockOffsetMs(mine, m.tracks);
  const tracks = uniqueTracks(m.tracks.filter((t) => t.participantId === participantId));
  const plans = tracks
    .map((track) => ({ track, placed: placeTrack(mine, track, m.sessionStartMs, offset) }))
    .filter((p) => p.placed.length > 0);
  return {
    participantId,
    sessionMs: sessionLengthMs(m),
    audio: plans.find((p) => p.track.kind === 'audio'),
    videos: plans.filter((p) => p.track.kind === 'video'),
    container: speakerContainer(m, participantId),
  };
}

/** A track key may be listed once per bot part; segments are keyed by trackKey, so plan each key once. */
function uniqueTracks(tracks: ManifestTrack[]): ManifestTrack[] {
  const byKey = new Map<string, ManifestTrack>();
  for (const t of [...tracks].sort((a, b) => a.startedMs - b.startedMs)) if (!byKey.has(t.trackKey)) byKey.set(t.trackKey, t);
  return [...byKey.values()];
}
