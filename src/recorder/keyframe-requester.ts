import type { TrackControls } from './track-sink';

export type KeyframeReason = 'start' | 'loss' | 'boundary' | 'resume';

export interface KeyframeRequesterOptions {
  /** Minimum spacing of requests once the track has produced a key frame. */
  minIntervalMs?: number;
  /** Retry spacing while waiting for the very first key frame (not throttled to minIntervalMs). */
  startupRetryMs?: number;
  /** Unanswered PLIs before falling back to FIR. */
  firAfter?: number;
  /** Fast start-up retries last this long; then requests are throttled like any other (a sender that never sends). */
  startupWindowMs?: number;
}

/**
 * Key frame request policy for one video track: PLI at start (retried every startupRetryMs until the
 * first key frame), after unrecovered loss and at segment boundaries, at most one per minIntervalMs
 * otherwise; FIR after `firAfter` unanswered PLIs. Driven by `tick(now)`; pure apart from controls.
 */
export class KeyframeRequester {
  pli = 0;
  fir = 0;
  private waiting = false;
  private gotFirst = false;
  private lastMs = -Infinity;
  private unanswered = 0;
  private firstMs: number | undefined;
  private readonly minIntervalMs: number;
  private readonly startupRetryMs: number;
  private readonly firAfter: number;
  private readonly startupWindowMs: number;

  constructor(private readonly controls: TrackControls, opts: KeyframeRequesterOptions = {}) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.startupRetryMs = opts.startupRetryMs ?? 250;
    this.firAfter = opts.firAfter ?? 3;
    this.startupWindowMs = opts.startupWindowMs ?? 5000;
  }

  get requests(): number {
    return this.pli + this.fir;
  }

  /** Ask for a key frame (sent now unless throttled; the tick retries while we still wait). */
  request(_reason: KeyframeReason, nowMs: number): void {
    this.waiting = true;
    this.tick(nowMs);
  }

  /** A key frame arrived: stop asking. */
  onKeyframe(): void {
    this.waiting = false;
    this.gotFirst = true;
    this.unanswered = 0;
  }

  get isWaiting(): boolean {
    return this.waiting;
  }

  tick(nowMs: number): void {
    if (!this.waiting) return;
    this.firstMs ??= nowMs;
    const startup = !this.gotFirst && nowMs - this.firstMs < this.startupWindowMs;
    const spacing = startup ? this.startupRetryMs : this.minIntervalMs;
    if (nowMs - this.lastMs < spacing) return;
    this.lastMs = nowMs;
    const fir = this.unanswered >= this.firAfter && this.unanswered % this.firAfter === 0;
    this.unanswered++;
    if (fir) this.fir++;
    else this.pli++;
    try {
      this.controls.requestKeyframe(fir);
    } catch {
      // The transport may be closing; the next tick retries.
    }
  }
}
