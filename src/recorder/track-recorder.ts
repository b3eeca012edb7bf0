import * as path from 'path';
import type { RtpPacket } from 'werift';
import type { Logger } from '../common/logger';
import { createLogger } from '../common/logger';
import type { ManifestStore } from '../manifest/manifest-store';
import type { GapReason, ManifestSegment } from '../manifest/manifest.types';
import type { CodecName } from './codecs/depacketizer';
import type { JournalFrame, JournalHeader, JournalSenderReport } from './journal/journal-format';
import { JournalWriter } from './journal/journal-writer';
import { KeyframeRequester } from './keyframe-requester';
import { FrameAssembler, type AssembledFrame } from './rtp/frame-assembler';
import { JitterBuffer } from './rtp/jitter-buffer';
import { rtpKeyframeRequests, rtpPacketsLost, rtpPacketsReceived, rtpPacketsRecovered, segmentCloseSeconds } from './rtp.metrics';
import { Unwrapper } from './rtp/unwrap';
import { buildSegment, resolveCodec, seqName, writeSegmentFile } from './segment-file';
import type { InboundTrackInfo, SenderReportInfo, TrackControls, TrackSink } from './track-sink';
import { RecbotError } from '../common/errors';

export interface TrackRecorderOptions {
  recordingId: string;
  part: number;
  trackKey: string;
  /** Directory of this track's segments: `${spool}/{recordingId}/{participantId}/{trackKey}`. */
  dir: string;
  /** Sequence number of the first segment this recorder writes. */
  startSeq: number;
  segmentSeconds: number;
  jitterBufferMs: number;
  journalFsyncMs: number;
  /** No packets for this long = outage gap (default 3000). */
  stallMs?: number;
  manifest: ManifestStore;
  /** Called (synchronously, must not block) with each durable closed segment. */
  onSegmentClosed: (seg: ManifestSegment) => void;
  now?: () => number;
  tickMs?: number;
  logger?: Logger;
}

/** Per-track counters (monotonic). */
export interface TrackStats {
  packetsReceived: number;
  paddingDropped: number;
  duplicates: number;
  late: number;
  lost: number;
  recovered: number;
  redRecovered: number;
  framesWritten: number;
  framesBeforeFirstKeyframe: number;
  framesDroppedAfterLoss: number;
  keyframeRequests: number;
  firRequests: number;
  segmentsClosed: number;
  writeErrors: number;
  journalErrors: number;
}

interface OpenSegment {
  seq: number;
  frames: JournalFrame[];
  journal: JournalWriter;
  sr?: JournalSenderReport;
}

/**
 * Records one inbound track: RTP -> jitter buffer -> frames -> key-frame gate -> journal + rolling
 * segment files. Implements the bot's TrackSink. Nothing on the media path awaits; segment files
 * are written by a serialized async chain.
 */
export class TrackRecorder implements TrackSink {
  readonly codec: CodecName;
  private readonly kind: 'audio' | 'video';
  private readonly ts = new Unwrapper(32);
  private readonly jitter: JitterBuffer;
  private readonly assembler: FrameAssembler;
  private readonly keyframes: KeyframeRequester;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly segmentTicks: number;
  private readonly timer: NodeJS.Timeout;
  private readonly s = { redRecovered: 0, framesWritten: 0, framesBeforeFirstKeyframe: 0, framesDroppedAfterLoss: 0, segmentsClosed: 0, writeErrors: 0, journalErrors: 0 };
  private cur: OpenSegment | undefined;
  private reported = { lost: 0, recovered: 0, received: 0, keyframeRequests: 0 };
  private nextSeq: number;
  private needKeyframe: boolean;
  private everKeyframe = false;
  private ssrc: number | undefined;
  private lastFrameTs = -Infinity;
  private lastSr: JournalSenderReport | undefined;
  private lastPacketMs: number;
  private lastWrittenArrivalMs = 0;
  private freezeSinceMs: number | undefined;
  private pause: { reason: GapReason; atMs: number } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;

  constructor(readonly info: InboundTrackInfo, controls: TrackControls, private readonly opts: TrackRecorderOptions) {
    const resolved = resolveCodec(info.mimeType);
    if (!resolved) throw new RecbotError('UNSUPPORTED_CODEC', `unsupported codec ${info.mimeType}`);
    this.codec = resolved.codec;
    this.kind = this.codec === 'opus' ? 'audio' : 'video';
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? createLogger({ component: 'track-recorder', recordingId: opts.recordingId, participantId: info.participantId, trackKey: opts.trackKey });
    this.segmentTicks = opts.segmentSeconds * info.clockRate;
    this.nextSeq = opts.startSeq;
    this.assembler = new FrameAssembler({ kind: this.kind, depacketizer: resolved.depacketizer, redPayloadType: resolved.red ? info.payloadType : undefined }, (f) => this.onFrame(f));
    this.jitter = new JitterBuffer(this.assembler, opts.jitterBufferMs);
    this.keyframes = new KeyframeRequester(controls);
    this.needKeyframe = this.kind === 'video';
    this.lastPacketMs = this.now();
    if (this.needKeyframe) this.keyframes.request('start', this.lastPacketMs);
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 20);
    this.timer.unref();
  }

  onRtp(packet: RtpPacket, arrivalMs: number): void {
    if (this.closed) return;
    if (this.pause) this.resumeAt(arrivalMs);
    this.lastPacketMs = arrivalMs;
    const h = packet.header;
    if (h.ssrc !== this.ssrc) {
      if (this.ssrc !== undefined) {
        // Sender restarted (new SSRC): new sequence and timestamp bases.
        this.jitter.reset();
        this.assembler.reset();
        this.ts.reset();
      }
      this.ssrc = h.ssrc;
    }
    this.jitter.push(h.sequenceNumber, this.ts.unwrap(h.timestamp), h.marker, packet.payload, arrivalMs, h.payloadType);
  }

  onSenderReport(sr: SenderReportInfo): void {
    this.lastSr = { ntpMs: sr.ntpMs, rtpTimestamp: sr.rtpTimestamp, arrivalMs: sr.arrivalMs };
    if (this.cur) {
      this.cur.sr ??= this.lastSr;
      this.cur.journal.appendSenderReport(this.lastSr);
    }
  }

  onPause(reason: 'mute' | 'outage' | 'ice-restart', atMs: number): void {
    if (this.closed) return;
    if (this.pause) {
      // The sender said it is muted after the silence began: the same gap, better reason.
      if (reason === 'mute' && this.pause.reason === 'outage') this.pause.reason = 'mute';
      return;
    }
    this.jitter.flush();
    this.assembler.flush();
    this.closeSegment();
    this.pause = { reason, atMs };
  }

  onResume(atMs: number): void {
    if (this.pause) this.resumeAt(atMs);
  }

  get trackKey(): string {
    return this.opts.trackKey;
  }

  /** The highest segment number this recorder allocated (startSeq - 1 before its first segment). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Counters for metrics. */
  stats(): TrackStats {
    const j = this.jitter.stats;
    return {
      packetsReceived: j.received, paddingDropped: j.paddingDropped, duplicates: j.duplicates, late: j.late, lost: j.lost, recovered: j.recovered,
      ...this.s, keyframeRequests: this.keyframes.requests, firRequests: this.keyframes.fir,
    };
  }

  /** Flush everything, close the open segment and wait until it is durable. Idempotent. */
  close(): Promise<void> {
    if (!this.closed) {
      clearInterval(this.timer);
      this.jitter.flush();
      this.assembler.flush();
      this.closeSegment();
      this.reportLoss();
      if (this.pause) this.resumeAt(this.now());
      this.closed = this.chain.then(() => this.opts.manifest.endTrack(this.info.participantId, this.opts.trackKey, this.opts.part, this.now()).catch(() => undefined));
    }
    return this.closed;
  }

  private tick(): void {
    const now = this.now();
    this.jitter.poll(now);
    this.reportLoss();
    if (!this.pause) this.keyframes.tick(now);
    const stallMs = this.opts.stallMs ?? 3000;
    if (!this.pause && this.jitter.stats.received > 0 && now - this.lastPacketMs > stallMs) this.onPause('outage', this.lastPacketMs);
  }

  /** Add new packets/losses/recoveries/keyframe requests to the process counters (label: kind only). */
  private reportLoss(): void {
    const j = this.jitter.stats;
    if (j.lost !== this.reported.lost) rtpPacketsLost.inc({ kind: this.kind }, j.lost - this.reported.lost);
    if (j.recovered !== this.reported.recovered) rtpPacketsRecovered.inc({ kind: this.kind }, j.recovered - this.reported.recovered);
    if (j.received !== this.reported.received) rtpPacketsReceived.inc({ kind: this.kind }, j.received - this.reported.received);
    const kf = this.keyframes.requests;
    if (kf !== this.reported.keyframeRequests) rtpKeyframeRequests.inc({ kind: this.kind }, kf - this.reported.keyframeRequests);
    this.reported = { lost: j.lost, recovered: j.recovered, received: j.received, keyframeRequests: kf };
  }

  private resumeAt(atMs: number): void {
    const p = this.pause;
    this.pause = undefined;
    if (!p) return;
    this.addGap(p.atMs, atMs, p.reason);
    if (this.kind === 'video') {
      this.needKeyframe = true;
      this.keyframes.request('resume', atMs);
    }
  }

  private addGap(startMs: number, endMs: number, reason: GapReason): void {
    const g = { participantId: this.info.participantId, trackKey: this.opts.trackKey, startMs, endMs, reason };
    this.opts.manifest.addGap(g).catch((e: unknown) => this.log.warn({ err: e }, 'manifest gap write failed'));
  }

  private onFrame(f: AssembledFrame): void {
    if (f.fromRedundancy) this.s.redRecovered++;
    if (f.complete && this.cur && (f.rtpTimestamp <= this.lastFrameTs || f.rtpTimestamp - this.lastFrameTs > 60 * this.info.clockRate)) {
      // Timestamp discontinuity (new SSRC, sender clock jump): never write time backwards or a
      // minute-long hole into one file; start a new segment (video: on the next key frame).
      this.closeSegment();
      if (this.kind === 'video' && !f.keyframe) {
        this.needKeyframe = true;
        this.keyframes.request('loss', f.arrivalLastMs);
      }
    }
    if (this.kind === 'video') {
      if (!f.complete || (f.lossBefore && !f.keyframe)) {
        if (!this.needKeyframe && this.everKeyframe) this.freezeSinceMs = this.lastWrittenArrivalMs;
        this.needKeyframe = true;
        this.keyframes.request('loss', f.arrivalLastMs);
      }
      if (this.needKeyframe) {
        if (!f.keyframe) {
          if (this.everKeyframe) this.s.framesDroppedAfterLoss++;
          else this.s.framesBeforeFirstKeyframe++;
          return;
        }
        this.needKeyframe = false;
        this.everKeyframe = true;
        this.keyframes.onKeyframe();
        if (this.freezeSinceMs !== undefined) this.addGap(this.freezeSinceMs, f.arrivalFirstMs, 'loss');
        this.freezeSinceMs = undefined;
      } else if (f.keyframe) this.keyframes.onKeyframe();
    } else if (!f.complete) return;

    const cur = this.cur;
    if (cur) {
      const first = cur.frames[0] as JournalFrame;
      if (f.rtpTimestamp - first.rtpTimestamp >= this.segmentTicks) {
        if (this.kind === 'audio' || f.keyframe) this.closeSegment(f.rtpTimestamp);
        else if (!this.keyframes.isWaiting) this.keyframes.request('boundary', f.arrivalLastMs);
      }
    }
    const seg = this.cur ?? this.openSegment();
    seg.frames.push(f); // an AssembledFrame is a JournalFrame: no copy
    seg.journal.appendFrame(f);
    this.lastFrameTs = f.rtpTimestamp;
    this.s.framesWritten++;
    this.lastWrittenArrivalMs = f.arrivalLastMs;
  }

  private openSegment(): OpenSegment {
    const seq = this.nextSeq++;
    const header: JournalHeader = {
      recordingId: this.opts.recordingId, participantId: this.info.participantId, trackKey: this.opts.trackKey, seq, part: this.opts.part,
      codec: this.codec, kind: this.kind, clockRate: this.info.clockRate, channels: this.info.channels, createdMs: this.now(),
    };
    const journal = new JournalWriter(path.join(this.opts.dir, `${seqName(seq)}.journal`), header, this.opts.journalFsyncMs);
    this.cur = { seq, frames: [], journal, sr: this.lastSr };
    if (this.lastSr) journal.appendSenderReport(this.lastSr);
    return this.cur;
  }

  /** Close the open segment (if any); `endRtpTimestamp` is where the next segment starts. */
  private closeSegment(endRtpTimestamp?: number): void {
    const cur = this.cur;
    this.cur = undefined;
    if (!cur) return;
    if (cur.frames.length === 0) {
      void cur.journal.discard();
      return;
    }
    // Mux now (synchronous, in memory), write asynchronously in order.
    let built: ReturnType<typeof buildSegment>;
    try {
      built = buildSegment(this.codec, this.info.clockRate, this.info.channels, cur.frames, endRtpTimestamp, cur.sr);
    } catch (e) {
      this.s.writeErrors++;
      this.log.error({ err: e, seq: cur.seq }, 'segment mux failed; journal kept for recovery');
      void cur.journal.close();
      return;
    }
    cur.frames = [];
    const endTimer = segmentCloseSeconds.startTimer({ kind: this.kind });
    this.chain = this.chain.then(() => this.persist(cur, built)).finally(() => endTimer());
  }

  private async persist(cur: OpenSegment, built: ReturnType<typeof buildSegment>): Promise<void> {
    const file = path.join(this.opts.dir, `${seqName(cur.seq)}.${built.container}`);
    try {
      await cur.journal.close();
      if (cur.journal.error) this.s.journalErrors++;
      await writeSegmentFile(file, built.bytes);
      const seg: ManifestSegment = {
        participantId: this.info.participantId, trackKey: this.opts.trackKey, seq: cur.seq, part: this.opts.part, container: built.container,
        localPath: file, size: built.bytes.length, frames: built.frames, keyframes: built.keyframes, timeline: built.timeline, closedMs: this.now(),
      };
      await this.opts.manifest.addSegment(seg);
      await cur.journal.discard();
      this.s.segmentsClosed++;
      this.opts.onSegmentClosed(seg);
    } catch (e) {
      // ENOSPC and the like: writeFileAtomic removed its temp file; the journal stays on disk so recoverSpool can rebuild this segment once there is space.
      this.s.writeErrors++;
      this.log.error({ err: e, seq: cur.seq }, 'segment write failed; journal kept for recovery');
    }
  }
}
