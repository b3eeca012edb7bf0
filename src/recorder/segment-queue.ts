import type { ManifestSegment } from '../manifest/manifest.types';

export interface SegmentQueueStats {
  depth: number;
  overflow: number;
  delivered: number;
  failed: number;
  /** Age of the oldest queued segment (ms), 0 when empty. */
  oldestAgeMs: number;
}

/**
 * Bounded hand-off of closed segments to a consumer (the uploader). `push` never blocks or awaits:
 * when full, the segment is counted as overflow and stays on disk (and in the manifest) for a later
 * sweep. The consumer is called one segment at a time, in order.
 */
export class SegmentQueue {
  private readonly items: { seg: ManifestSegment; atMs: number }[] = [];
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private overflow = 0;
  private delivered = 0;
  private failed = 0;

  constructor(
    private readonly max: number,
    private readonly consumer: (seg: ManifestSegment) => Promise<void> | void,
    private readonly now: () => number = Date.now,
    private readonly onError?: (e: unknown, seg: ManifestSegment) => void,
  ) {}

  /** Queue a segment; false (and overflow counted) when full or closed. */
  push(seg: ManifestSegment): boolean {
    if (this.closed || this.items.length >= this.max) {
      this.overflow++;
      return false;
    }
    this.items.push({ seg, atMs: this.now() });
    if (!this.running) this.idle = this.run();
    return true;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.items.length > 0) {
        const item = this.items[0] as { seg: ManifestSegment };
        try {
          await this.consumer(item.seg);
          this.delivered++;
        } catch (e) {
          this.failed++;
          this.onError?.(e, item.seg);
        }
        this.items.shift();
      }
    } finally {
      this.running = false;
    }
  }

  stats(): SegmentQueueStats {
    const first = this.items[0];
    return { depth: this.items.length, overflow: this.overflow, delivered: this.delivered, failed: this.failed, oldestAgeMs: first ? this.now() - first.atMs : 0 };
  }

  /** Resolve when everything queued so far was handed over. */
  drain(): Promise<void> {
    return this.idle;
  }

  /** Stop accepting; queued items are still delivered (await drain()). Idempotent. */
  close(): void {
    this.closed = true;
  }
}
