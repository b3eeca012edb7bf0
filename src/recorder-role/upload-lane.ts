import { unlink } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';
import { RecbotError, errorMessage } from '../common/errors';
import { createLogger } from '../common/logger';
import type { ManifestSegment } from '../manifest/manifest.types';
import type { StorageDriver } from '../storage/storage.types';
import { md5OfFile } from '../storage/storage-util';
import { storageKeys } from '../storage/storage-keys';
import { stageTags } from '../storage/lifecycle-rules';

/** What the uploader records in the manifest once a segment is verified in storage. */
export interface SegmentUploadResult {
  key: string;
  size: number;
  md5: string;
  uploadedMs: number;
}

export interface SegmentUploaderOptions {
  storage: StorageDriver;
  /** Parallel uploads (UPLOAD_CONCURRENCY). */
  concurrency: number;
  /** Soft bound (UPLOAD_QUEUE_MAX): beyond it enqueue still accepts (the data is on disk) but counts an overflow. */
  queueMax: number;
  /** Persist key/size/md5/uploadedMs in the manifest; the local file is deleted only after this resolves. */
  recordUpload(recordingId: string, segment: ManifestSegment, result: SegmentUploadResult): Promise<void>;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Log an alert when a segment has waited longer than this (default 10 min). */
  ageAlertMs?: number;
  now?: () => number;
}

interface Pending {
  recordingId: string;
  segment: ManifestSegment & { localPath: string };
  enqueuedMs: number;
  attempts: number;
  alerted: boolean;
}

/** Counters and gauges of one uploader. */
export interface UploaderStats {
  queued: number;
  inFlight: number;
  /** Waiting for a retry after a failed attempt. */
  retrying: number;
  oldestPendingAgeMs: number;
  uploaded: number;
  failedAttempts: number;
  overflows: number;
}

const live = new Set<SegmentUploader>();

/**
 * Uploads closed segments to their staging keys with bounded parallelism, verifies size+MD5,
 * records the upload in the manifest, then deletes the local file. Failures retry with capped
 * exponential backoff for as long as the process lives (an age alert fires, data is never dropped).
 * `enqueue` never blocks and never awaits: it is safe to call from the media path.
 */
export class SegmentUploader {
  private readonly log = createLogger({ component: 'segment-uploader' });
  private readonly queue: Pending[] = [];
  private readonly active = new Set<Pending>();
  /** Every segment not yet uploaded: queued, in flight or waiting for a retry. */
  private readonly pending = new Set<Pending>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly now: () => number;
  private stats = { uploaded: 0, failedAttempts: 0, overflows: 0 };
  private closed = false;

  constructor(private readonly opts: SegmentUploaderOptions) {
    this.now = opts.now ?? Date.now;
    live.add(this);
  }

  /** Hand over a closed segment (callback from the recorder). Non-blocking. */
  enqueue(recordingId: string, segment: ManifestSegment & { localPath: string }): void {
    if (this.closed) throw new RecbotError('SESSION_CLOSED', 'SegmentUploader is closed');
    if (this.queue.length + this.active.size >= this.opts.queueMax) {
      this.stats.overflows++;
      this.log.warn({ recordingId, queued: this.queue.length }, 'upload queue over its bound; segment kept on disk and queued');
    }
    const p: Pending = { recordingId, segment, enqueuedMs: this.now(), attempts: 0, alerted: false };
    this.pending.add(p);
    this.queue.push(p);
    this.pump();
  }

  /**
   * The recorder's `onSegmentClosed` callback for one recording: segments without a local file
   * (nothing to upload) are logged and skipped.
   */
  handoff(recordingId: string): (segment: ManifestSegment) => void {
    return (segment) => {
      if (!segment.localPath) {
        this.log.warn({ recordingId, seq: segment.seq, trackKey: segment.trackKey }, 'closed segment without a local file; nothing to upload');
        return;
      }
      this.enqueue(recordingId, { ...segment, localPath: segment.localPath });
    };
  }

  /** Current gauges. */
  getStats(): UploaderStats {
    const now = this.now();
    const all = [...this.pending];
    const oldest = all.reduce((min, p) => Math.min(min, p.segment.closedMs || p.enqueuedMs), Infinity);
    return {
      queued: this.queue.length,
      inFlight: this.active.size,
      retrying: this.timers.size,
      oldestPendingAgeMs: all.length ? Math.max(0, now - oldest) : 0,
      ...this.stats,
    };
  }

  /** Resolve when nothing is queued or in flight (true), or false after `timeoutMs`. */
  drain(timeoutMs = 60_000): Promise<boolean> {
    if (this.idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Stop retrying and accepting; in-flight uploads finish. Unuploaded files stay on disk. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    live.delete(this);
    await Promise.race([this.drainActive(), new Promise((r) => setTimeout(r, 30_000).unref())]);
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.active.size === 0 && this.timers.size === 0;
  }

  private async drainActive(): Promise<void> {
    while (this.active.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.opts.concurrency && this.queue.length > 0) {
      const p = this.queue.shift() as Pending;
      this.active.add(p);
      void this.upload(p).finally(() => {
        this.active.delete(p);
        this.pump();
        if (this.idle()) this.idleWaiters.splice(0).forEach((w) => w());
      });
    }
  }

  private async upload(p: Pending): Promise<void> {
    const { segment: s, recordingId } = p;
    const key = storageKeys.segment(recordingId, s.participantId, s.trackKey, s.seq, s.container);
    p.attempts++;
    try {
      const local = await md5OfFile(s.localPath);
      const existing = await this.opts.storage.head(key);
      if (!(existing && existing.size === local.size && existing.md5 === local.md5)) {
        await this.opts.storage.putFile(key, s.localPath, {
          md5: local.md5,
          contentType: s.container === 'mkv' ? 'video/x-matroska' : 'video/webm',
          // a segment still needed: never expired until Publish re-tags it `staging`
          tags: stageTags('segment'),
        });
      }
      const stored = await this.opts.storage.head(key);
      if (!stored || stored.size !== local.size || (stored.md5 !== undefined && stored.md5 !== local.md5)) {
        throw new RecbotError('UPLOAD_VERIFY_FAILED', `verification failed for ${key}: stored ${stored?.size}/${stored?.md5}, local ${local.size}/${local.md5}`);
      }
      await this.opts.recordUpload(recordingId, s, { key, size: local.size, md5: local.md5, uploadedMs: this.now() });
      await unlink(s.localPath).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.pending.delete(p);
      this.stats.uploaded++;
    } catch (err) {
      this.stats.failedAttempts++;
      this.scheduleRetry(p, err);
    }
  }

  private scheduleRetry(p: Pending, err: unknown): void {
    if (this.closed) return;
    const age = this.now() - p.enqueuedMs;
    const log = this.log.child({ recordingId: p.recordingId, participantId: p.segment.participantId, seq: p.segment.seq });
    if (!p.alerted && age > (this.opts.ageAlertMs ?? 600_000)) {
      p.alerted = true;
      log.error({ ageMs: age, attempts: p.attempts, err: errorMessage(err) }, 'segment upload still failing past the age alert');
    } else {
      log.warn({ attempts: p.attempts, err: errorMessage(err) }, 'segment upload failed; will retry');
    }
    const delay = Math.min(this.opts.retryMaxMs ?? 60_000, (this.opts.retryBaseMs ?? 1000) * 2 ** Math.min(p.attempts - 1, 16));
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.queue.push(p);
      this.pump();
    }, delay);
    this.timers.add(t);
  }
}

/** Register the uploader gauges (summed over live uploaders) on `registry`. Call once per registry. */
export function registerUploaderMetrics(registry: Registry): void {
  const sum = (f: (s: UploaderStats) => number) => [...live].reduce((a, u) => a + f(u.getStats()), 0);
  new Gauge({ name: 'recbot_upload_queue_segments', help: 'Closed segments waiting for or in upload', registers: [registry], collect() { this.set(sum((s) => s.queued + s.inFlight + s.retrying)); } });
  new Gauge({
    name: 'recbot_upload_oldest_pending_age_seconds',
    help: 'Age of the oldest closed segment not yet uploaded',
    registers: [registry],
    collect() { this.set([...live].reduce((a, u) => Math.max(a, u.getStats().oldestPendingAgeMs), 0) / 1000); },
  });
}
