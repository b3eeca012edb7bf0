import { readdirSync } from 'fs';

import * as path from 'path';
import type { Logger } from '../common/logger';
import { createLogger } from '../common/logger';
import { ManifestStore, newManifest } from '../manifest/manifest-store';
import type { ManifestSegment } from '../manifest/manifest.types';
import type { DiskGuard } from './disk-guard';
import { SegmentQueue, type SegmentQueueStats } from './segment-queue';
import { TrackRecorder, type TrackStats } from './track-recorder';
import type { InboundTrackInfo, TrackControls, TrackSink, TrackSinkFactory } from './track-sink';
import { RecbotError } from '../common/errors';

export interface RecordingSessionOptions {
  recordingId: string;
  roomId: string;
  signalingUrl?: string;
  /** Spool root; this recording lives in `${spoolDir}/{recordingId}`. */
  spoolDir: string;
  /** Bot part number (1 for the first join, +1 per rejoin/restart). */
  part: number;
  botId: string;
  segmentSeconds: number;
  jitterBufferMs: number;
  journalFsyncMs: number;
  uploadQueueMax: number;
  stallMs?: number;
  /** Receives each closed, durable segment (e.g. the uploader). Runs off the media path. */
  onSegmentClosed: (seg: ManifestSegment) => Promise<void> | void;
  diskGuard?: DiskGuard;
  now?: () => number;
  logger?: Logger;
  options?: Record<string, unknown>;
  /** An already open store of this recording's manifest (the single writer of its file); default: open it here. */
  manifest?: ManifestStore;
  /**
   * Highest segment number already used for a track outside this manifest (e.g. objects an earlier,
   * killed part uploaded but never listed): new segments start above it so none is overwritten.
   */
  seqFloor?: (participantId: string, trackKey: string) => number;
}

/** The recorder settings of RecordingSessionOptions, from the validated app config. */
export function recorderSettingsFromConfig(c: {
  SEGMENT_SECONDS: number; JITTER_BUFFER_MS: number; JOURNAL_FSYNC_MS: number; UPLOAD_QUEUE_MAX: number; TRACK_STALL_MS: number;
}): Pick<RecordingSessionOptions, 'segmentSeconds' | 'jitterBufferMs' | 'journalFsyncMs' | 'uploadQueueMax' | 'stallMs'> {
  return { segmentSeconds: c.SEGMENT_SECONDS, jitterBufferMs: c.JITTER_BUFFER_MS, journalFsyncMs: c.JOURNAL_FSYNC_MS, uploadQueueMax: c.UPLOAD_QUEUE_MAX, stallMs: c.TRACK_STALL_MS };
}

/** Stats of a session: per track (keyed `participantId/trackKey`) and the upload hand-off queue. */
export interface SessionStats {
  tracks: Record<string, TrackStats & { codec: string; kind: string }>;
  queue: SegmentQueueStats;
}

/** Turn a remote track id into a safe path/key component. */
function safeKey(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'track';
}

/**
 * One recording on this recorder: owns the manifest, the spool layout
 * `${spool}/{recordingId}/{participantId}/{trackKey}/{seq:06}.webm|.mkv|.journal`, one TrackRecorder per
 * inbound track and the bounded closed-segment queue. Implements TrackSinkFactory for the bot.
 */
export class RecordingSession implements TrackSinkFactory {
  readonly dir: string;
  private readonly tracks = new Map<string, TrackRecorder>();
  private sinkSerial = 0;
  private readonly queue: SegmentQueue;
  private readonly now: () => number;
  private readonly log: Logger;
  private closing: Promise<void> | undefined;

  private constructor(private readonly opts: RecordingSessionOptions, readonly manifest: ManifestStore) {
    this.dir = path.resolve(opts.spoolDir, opts.recordingId); // absolute: segment localPaths outlive the cwd
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? createLogger({ component: 'recording-session', recordingId: opts.recordingId, part: opts.part });
    this.queue = new SegmentQueue(opts.uploadQueueMax, opts.onSegmentClosed, this.now, (e, seg) =>
      this.log.warn({ err: e, seq: seg.seq, trackKey: seg.trackKey }, 'segment consumer failed; segment stays on disk'));
  }

  /** Create (or reopen, for a rejoin) the recording's spool directory and manifest, and register the part. */
  static async open(opts: RecordingSessionOptions): Promise<RecordingSession> {
    const now = (opts.now ?? Date.now)();
    const file = path.join(opts.spoolDir, opts.recordingId, 'manifest.json');
    const manifest = opts.manifest ?? (await ManifestStore.open(file, () => newManifest({ recordingId: opts.recordingId, roomId: opts.roomId, signalingUrl: opts.signalingUrl, sessionStartMs: now, options: opts.options })));
    await manifest.addPart({ part: opts.part, botId: opts.botId, startedMs: now });
    await manifest.setStatus('recording', now);
    return new RecordingSession(opts, manifest);
  }

  /** Record or refresh a participant in the manifest. */
  addParticipant(participantId: string, name: string): Promise<void> {
    return this.manifest.addParticipant({ participantId, name, firstSeenMs: this.now() });
  }

  /** TrackSinkFactory: start recording an inbound track. Throws when the disk is full. */
  createTrackSink(info: InboundTrackInfo, controls: TrackControls): TrackSink {
    if (this.closing) throw new RecbotError('SESSION_CLOSED', 'recording session closed');
    if (this.opts.diskGuard?.isFull()) throw new RecbotError('DISK_FULL', 'spool disk full');
    // The same source track again (a fully restarted call re-sends it on a new peer connection):
    // the old sink can get nothing more, so finish it now instead of letting two recorders share a key.
    for (const t of this.tracks.values()) {
      if (!t.isClosed && t.info.participantId === info.participantId && t.info.kind === info.kind && t.info.trackId === info.trackId) {
        this.log.info({ participantId: info.participantId, trackKey: t.trackKey }, 'track re-delivered; closing its previous sink');
        void t.close();
      }
    }
    const trackKey = this.trackKeyFor(info);
    const participantDir = safeKey(info.participantId);
    const dir = path.join(this.dir, participantDir, trackKey);
    const startSeq = this.nextSeq(info.participantId, trackKey, dir);
    const now = this.now();
    void this.manifest.addParticipant({ participantId: info.participantId, name: info.displayName, firstSeenMs: now }).catch(() => undefined);
    void this.manifest.addTrack({ trackKey, participantId: info.participantId, kind: info.kind, codec: info.mimeType, clockRate: info.clockRate, part: this.opts.part, startedMs: now }).catch(() => undefined);
    const rec = new TrackRecorder(info, controls, {
      recordingId: this.opts.recordingId, part: this.opts.part, trackKey, dir, startSeq,
      segmentSeconds: this.opts.segmentSeconds, jitterBufferMs: this.opts.jitterBufferMs, journalFsyncMs: this.opts.journalFsyncMs,
      stallMs: this.opts.stallMs, manifest: this.manifest, now: this.opts.now,
      onSegmentClosed: (seg) => {
        if (!this.queue.push(seg)) this.log.warn({ seq: seg.seq, trackKey }, 'segment queue full; segment stays on disk');
      },
      logger: this.log.child({ participantId: info.participantId, trackKey }),
    });
    // Unique per sink: a restarted call brings the same trackId again, and the old recorder must still
    // be closed by close() (its open segment made durable) and counted by stats().
    this.tracks.set(`${info.participantId}/${trackKey}/${info.trackId}/${++this.sinkSerial}`, rec);
    return rec;
  }

  stats(): SessionStats {
    const tracks: SessionStats['tracks'] = {};
    for (const t of this.tracks.values()) {
      const key = `${t.info.participantId}/${t.trackKey}`;
      const cur = t.stats();
      const prev = tracks[key];
      // A restarted track (full restart, new SSRC) reuses its trackKey: its counters add up.
      if (prev) for (const k of Object.keys(cur) as (keyof TrackStats)[]) cur[k] += prev[k];
      tracks[key] = { ...cur, codec: t.codec, kind: t.info.kind };
    }
    return { tracks, queue: this.queue.stats() };
  }

  /** Close every track (segments durable), end the part; optionally wait for the queue to drain. Idempotent. */
  close(endReason = 'closed', opts: { drain?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.tracks.values()].map((t) => t.close()));
      await this.manifest.endPart(this.opts.part, this.now(), endReason).catch(() => undefined);
      this.queue.close();
      if (opts.drain) await this.queue.drain();
    })();
    return this.closing;
  }

  /** 'audio' / 'video' for a participant's first track of a kind, `<kind>-<trackId>` for more (screen share). */
  private trackKeyFor(info: InboundTrackInfo): string {
    for (const t of this.tracks.values()) {
      if (!t.isClosed && t.info.participantId === info.participantId && t.info.kind === info.kind && t.info.trackId !== info.trackId) {
        return `${info.kind}-${safeKey(info.trackId)}`;
      }
    }
    return info.kind;
  }

  private nextSeq(participantId: string, trackKey: string, dir: string): number {
    let max = this.opts.seqFloor?.(participantId, trackKey) ?? 0;
    for (const s of this.manifest.snapshot().segments) if (s.participantId === participantId && s.trackKey === trackKey) max = Math.max(max, s.seq);
    // ... and numbers a previous sink of this key allocated whose files are still being written.
    for (const t of this.tracks.values()) if (t.info.participantId === participantId && t.trackKey === trackKey) max = Math.max(max, t.lastSeq);
    try {
      // Track setup (not the media path): also skip numbers used by files the manifest does not list.
      for (const f of readdirSync(dir)) {
        const n = Number.parseInt(f.slice(0, 6), 10);
        if (Number.isFinite(n)) max = Math.max(max, n);
      }
    } catch {
      // no directory yet
    }
    return max + 1;
  }
}

