import { performance } from 'node:perf_hooks';
import { RtpHeader, RtpPacket, type MediaStreamTrack } from 'werift';

/** One media unit (audio packet or video frame) already split into RTP payloads. */
export interface MediaUnit {
  payloads: Buffer[];
  /** RTP clock ticks from this unit to the next one. */
  durationTicks: number;
  keyframe: boolean;
}

/** A loopable pre-encoded stream. */
export interface LoopSource {
  kind: 'audio' | 'video';
  clockRate: number;
  units: MediaUnit[];
  /** Optional per-send payload builder (VP8: fresh picture id per sent frame). */
  packetize?: (unit: MediaUnit, sendCount: number) => Buffer[];
}

/** Counters of what a PacedRtpSender wrote (summed over all targets). */
export interface PacedSenderStats {
  unitsSent: number;
  packetsSent: number;
  bytesSent: number;
  /** Units skipped while paused (muted). */
  unitsSkipped: number;
}

/** Anything that accepts RTP: a werift MediaStreamTrack (writeRtp) or a test spy. */
export type RtpTarget = Pick<MediaStreamTrack, 'writeRtp'>;

/** If the loop falls further behind than this, re-anchor instead of bursting. */
const MAX_LAG_MS = 500;

/**
 * Sends a pre-encoded source in a loop at real-time pace to any number of target tracks.
 * Due times are computed from a monotonic anchor and the cumulative RTP duration, so the pace
 * does not drift with timer jitter. Pausing (mute) keeps the clock running and skips units.
 */
export class PacedRtpSender {
  readonly stats: PacedSenderStats = { unitsSent: 0, packetsSent: 0, bytesSent: 0, unitsSkipped: 0 };
  private readonly targets = new Set<RtpTarget>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private index = 0;
  private elapsedTicks = 0;
  private anchorMs = 0;
  private anchorTicks = 0;
  private seq = Math.floor(Math.random() * 0xffff);
  private readonly baseTs = Math.floor(Math.random() * 0xffffffff);
  private sendCount = 0;
  private pausedUntilMs = 0;
  private wantKeyframe = true;

  constructor(private readonly source: LoopSource, private readonly payloadType = source.kind === 'audio' ? 111 : 96) {
    if (source.units.length === 0) throw new Error('PacedRtpSender: empty source');
  }

  addTarget(target: RtpTarget): void {
    this.targets.add(target);
    this.wantKeyframe = true;
  }

  removeTarget(target: RtpTarget): void {
    this.targets.delete(target);
  }

  get targetCount(): number {
    return this.targets.size;
  }

  /** Start (idempotent). */
  start(): void {
    if (this.closed || this.timer) return;
    this.anchorMs = performance.now();
    this.anchorTicks = this.elapsedTicks;
    this.schedule();
  }

  /** Stop sending media for `ms` (the clock keeps running, like a muted track). */
  pause(ms: number): void {
    this.pausedUntilMs = performance.now() + ms;
  }

  resume(): void {
    this.pausedUntilMs = 0;
    this.wantKeyframe = true;
  }

  get paused(): boolean {
    return performance.now() < this.pausedUntilMs;
  }

  /** Jump to the next keyframe of the loop at the next send (answer to PLI / new receiver). */
  requestKeyframe(): void {
    this.wantKeyframe = true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.targets.clear();
  }

  private dueMs(): number {
    return this.anchorMs + ((this.elapsedTicks - this.anchorTicks) * 1000) / this.source.clockRate;
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = Math.max(0, this.dueMs() - performance.now());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = performance.now();
    if (now - this.dueMs() > MAX_LAG_MS) {
      this.anchorMs = now;
      this.anchorTicks = this.elapsedTicks;
    }
    let budget = 50;
    while (this.dueMs() <= now && budget-- > 0) this.sendOne(now);
    this.schedule();
  }

  private sendOne(now: number): void {
    const units = this.source.units;
    if (this.source.kind === 'video' && this.wantKeyframe) {
      const k = this.nextKeyframeIndex();
      if (k !== undefined) this.index = k;
    }
    const unit = units[this.index] as MediaUnit;
    const ts = (this.baseTs + this.elapsedTicks) >>> 0;
    if (now < this.pausedUntilMs || this.targets.size === 0) {
      this.stats.unitsSkipped++;
      if (this.source.kind === 'video') this.wantKeyframe = true;
    } else {
      this.wantKeyframe = false;
      const payloads = this.source.packetize ? this.source.packetize(unit, this.sendCount++) : unit.payloads;
      payloads.forEach((payload, i) => {
        const header = new RtpHeader({
          payloadType: this.payloadType,
          sequenceNumber: this.seq,
          timestamp: ts,
          marker: this.source.kind === 'video' ? i === payloads.length - 1 : false,
          ssrc: 1,
        });
        this.seq = (this.seq + 1) & 0xffff;
        const packet = new RtpPacket(header, payload);
        for (const t of this.targets) {
          try {
            t.writeRtp(packet);
          } catch {
            this.targets.delete(t); // a stopped track: forget it
            continue;
          }
          this.stats.packetsSent++;
          this.stats.bytesSent += payload.length;
        }
      });
      this.stats.unitsSent += this.targets.size;
    }
    this.elapsedTicks += unit.durationTicks;
    this.index = (this.index + 1) % units.length;
  }

  private nextKeyframeIndex(): number | undefined {
    const units = this.source.units;
    for (let i = 0; i < units.length; i++) {
      const j = (this.index + i) % units.length;
      if (units[j]?.keyframe) return j;
    }
    return undefined;
  }
}
