import type { ManifestSegment, ManifestTrack, RecordingManifest } from '../manifest/manifest.types';
/** Container of a speaker file (H264 is Matroska). */
export type OutputContainer = 'webm' | 'mkv';

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

/** A run of segments with continuous RTP time (same part and stream): one linear RTP -> wall mapping. */
export interface TrackRun {
  segments: ManifestSegment[];
  /** RTP timestamp of the run's first frame. */
  firstRtp: number;
}

/** A jump between consecutive segments larger than this (RTP time vs arrival time) starts a new run. */
const RUN_BREAK_MS = 1000;
/** SR-derived anchors of one run must agree within this, or the sender's SRs are not trusted. */
const SR_SPREAD_MS = 30;

/**
 * Split a track's segments (sorted by part, seq) into runs of continuous RTP time. Inside a run a
 * segment is placed by its RTP timestamp, not by its own arrival time, so arrival jitter never
 * stretches, squeezes or shifts segments against each other.
 */
export function trackRuns(segments: readonly ManifestSegment[], clockRate: number): TrackRun[] {
  const sorted = [...segments].sort((a, b) => a.part - b.part || a.seq - b.seq);
  const runs: TrackRun[] = [];
  let prev: ManifestSegment | undefined;
  for (const seg of sorted) {
    const run = runs[runs.length - 1];
    const continuous =
      run && prev && prev.part === seg.part && rtpConsistent(prev, clockRate) && rtpConsistent(seg, clockRate) &&
      (() => {
        const rtpGapMs = (rtpDiff(seg.timeline.firstRtpTimestamp, prev.timeline.lastRtpTimestamp) * 1000) / clockRate;
        const wallGapMs = seg.timeline.firstArrivalMs - prev.timeline.lastArrivalMs;
        return rtpGapMs > 0 && Math.abs(wallGapMs - rtpGapMs) < RUN_BREAK_MS;
      })();
    if (continuous && run) run.segments.push(seg);
    else runs.push({ segments: [seg], firstRtp: seg.timeline.firstRtpTimestamp });
    prev = seg;
  }
  return runs;
}

/** A segment's RTP span agrees with its media duration (else its RTP data is not used to chain it). */
function rtpConsistent(seg: ManifestSegment, clockRate: number): boolean {
  const spanMs = (rtpDiff(seg.timeline.lastRtpTimestamp, seg.timeline.firstRtpTimestamp) * 1000) / clockRate;
  return spanMs >= 0 && Math.abs(spanMs - seg.timeline.durationMs) <= 100 + seg.timeline.durationMs * 0.02;
}

/** Offset (ms) of an RTP timestamp from the run's first frame. */
function rtpOffsetMs(run: TrackRun, rtp: number, clockRate: number): number {
  return (rtpDiff(rtp, run.firstRtp) * 1000) / clockRate;
}

/** Our wall time of the run's first frame from arrivals: the least-delayed packet (first/last of each segment). */
export function runArrivalAnchorMs(run: TrackRun, clockRate: number): number {
  let best = Infinity;
  for (const s of run.segments) {
    best = Math.min(best, s.timeline.firstArrivalMs - rtpOffsetMs(run, s.timeline.firstRtpTimestamp, clockRate));
    best = Math.min(best, s.timeline.lastArrivalMs - rtpOffsetMs(run, s.timeline.lastRtpTimestamp, clockRate));
  }
  return best;
}

/** The sender's wall time of the run's first frame from its SRs, if they agree (median); else undefined. */
export function runSenderAnchorMs(run: TrackRun, clockRate: number): number | undefined {
  const xs: number[] = [];
  for (const s of run.segments) {
    const w = senderWallMs(s, clockRate);
    if (w !== undefined) xs.push(w - rtpOffsetMs(run, s.timeline.firstRtpTimestamp, clockRate));
  }
  if (xs.length === 0) return undefined;
  xs.sort((a, b) => a - b);
  if ((xs[xs.length - 1] as number) - (xs[0] as number) > SR_SPREAD_MS) return undefined;
  return xs[Math.floor(xs.length / 2)];
}

/**
 * Per-participant offset (our clock - sender clock) from runs with trustworthy SRs: the smallest
 * arrival anchor - sender anchor (least network delay). One offset for all of a participant's
 * tracks keeps the sender's own lip sync (as WebRTC receivers do) instead of each track's delay.
 */
export function senderClockOffsetMs(segments: readonly ManifestSegment[], tracks: readonly ManifestTrack[]): number | undefined {
  let best: number | undefined;
  for (const track of uniqueTracks(tracks)) {
    const mine = segments.filter((s) => s.participantId === track.participantId && s.trackKey === track.trackKey);
    for (const run of trackRuns(mine, track.clockRate)) {
      const sender = runSenderAnchorMs(run, track.clockRate);
      if (sender === undefined) continue;
      const d = runArrivalAnchorMs(run, track.clockRate) - sender;
      best = best === undefined ? d : Math.min(best, d);
    }
  }
  return best;
}

/**
 * Place one track's segments on the session clock: each run of continuous RTP time is anchored
 * once (SR-based with the participant's offset when its SRs agree, else from arrivals) and its
 * segments follow by RTP time. Gaps between runs stay gaps; an overlapping segment is cut where
 * the next begins. Duplicates (same seq and part) are dropped, keeping the first.
 */
export function placeTrack(
  segments: readonly ManifestSegment[],
  track: ManifestTrack,
  sessionStartMs: number,
  offsetMs?: number,
): PlacedSegment[] {
  const seen = new Set<string>();
  const mine = segments
    .filter((s) => s.participantId === track.participantId && s.trackKey === track.trackKey)
    .filter((s) => (seen.has(`${s.part}/${s.seq}`) ? false : (seen.add(`${s.part}/${s.seq}`), true)));
  const placedUnsorted: PlacedSegment[] = [];
  for (const run of trackRuns(mine, track.clockRate)) {
    const sender = offsetMs === undefined ? undefined : runSenderAnchorMs(run, track.clockRate);
    const anchor = sender !== undefined && offsetMs !== undefined ? sender + offsetMs : runArrivalAnchorMs(run, track.clockRate);
    for (const s of run.segments) {
      placedUnsorted.push({ segment: s, startMs: anchor + rtpOffsetMs(run, s.timeline.firstRtpTimestamp, track.clockRate) - sessionStartMs });
    }
  }
  const sorted = placedUnsorted.sort((a, b) => a.startMs - b.startMs);
  return sorted.map((p, i): PlacedSegment => {
    const next = sorted[i + 1];
    if (!next) return p;
    const slotMs = Math.max(1, next.startMs - p.startMs);
    const overlap = p.segment.timeline.durationMs - slotMs;
    return overlap > OVERLAP_CUT_MS ? { ...p, slotMs, outpointMs: slotMs } : { ...p, slotMs };
  });
}

/**
 * Slots after leaving some segments out: each kept segment's slot runs to the next kept one, so a
 * left-out segment becomes silence / a held frame of its own length instead of shifting the rest.
 */
export function relinkSlots(kept: readonly PlacedSegment[], all: readonly PlacedSegment[]): PlacedSegment[] {
  if (kept.length === all.length) return [...kept];
  return kept.map((p, i): PlacedSegment => {
    const next = kept[i + 1];
    if (!next) return { segment: p.segment, startMs: p.startMs };
    const slotMs = Math.max(1, next.startMs - p.startMs);
    const overlap = p.segment.timeline.durationMs - slotMs;
    return overlap > OVERLAP_CUT_MS ? { ...p, slotMs, outpointMs: slotMs } : { segment: p.segment, startMs: p.startMs, slotMs };
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
function uniqueTracks(tracks: readonly ManifestTrack[]): ManifestTrack[] {
  const byKey = new Map<string, ManifestTrack>();
  for (const t of [...tracks].sort((a, b) => a.startedMs - b.startedMs)) if (!byKey.has(t.trackKey)) byKey.set(t.trackKey, t);
  return [...byKey.values()];
}
