import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadBotMedia } from '../bot/bot-media';
import { errorMessage } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { DiskGuard } from '../recorder/disk-guard';
import { recoverSpool } from '../recorder/recover-spool';
import type { StorageDriver } from '../storage/storage.types';
import { pendingUploads } from './call-options';
import { CallRunner, type CallOutcome, type RunHooks } from './call-runner';
import { SpoolManifests } from './spool-manifests';
import { SegmentUploader } from './upload-lane';

export interface RecorderRuntimeOptions {
  config: AppConfig;
  storage: StorageDriver;
  /** A segment upload was verified (the opt-in `recording.segment_stored` webhook). */
  onSegmentStored?(recordingId: string, key: string): void | Promise<void>;
  /**
   * Spool recovery at start: every recording (the recorder service), one (a call process: its
   * recording only), or none (`recbot record`: a fresh recording of its own).
   */
  recover: 'all' | { only: string } | 'none';
  /** Refuse new tracks below DISK_MIN_FREE_MB (default true). */
  guardDisk?: boolean;
  logger?: Logger;
}

/**
 * The recorder role's parts, assembled once: the spool, its manifests (one writer per recording),
 * the upload lane, the disk guard, the bot's outgoing media and the CallRunner. The Nest service,
 * a call process and `recbot record` each start one and run calls with it.
 */
export class RecorderRuntime {
  private constructor(
    readonly spoolDir: string,
    readonly manifests: SpoolManifests,
    readonly uploader: SegmentUploader,
    readonly runner: CallRunner,
    readonly diskGuard: DiskGuard | undefined,
  ) {}

  static async start(o: RecorderRuntimeOptions): Promise<RecorderRuntime> {
    const c = o.config;
    const log = o.logger ?? createLogger({ component: 'recorder' });
    const spool = path.resolve(c.WORK_DIR, 'spool');
    await mkdir(spool, { recursive: true });
    // Journals of a crashed predecessor become segments before anything opens their manifests.
    // The service keeps going without it (the calls of other recordings still work); a call
    // process cannot record its recording without it, so there it fails the run.
    const recovered =
      o.recover === 'none' ? []
      : o.recover === 'all' ? await recoverSpool(spool, { logger: log }).catch((err: unknown) => (log.error({ err: errorMessage(err) }, 'spool recovery failed'), []))
      : await recoverSpool(spool, { only: o.recover.only, logger: log });
    const manifests = new SpoolManifests(spool);
    const uploader = new SegmentUploader({
      storage: o.storage,
      concurrency: c.UPLOAD_CONCURRENCY,
      queueMax: c.UPLOAD_QUEUE_MAX,
      retryMaxMs: c.UPLOAD_RETRY_MAX_MS,
      ageAlertMs: c.UPLOAD_AGE_ALERT_MS,
      recordUpload: async (id, seg, r) => {
        const store = await manifests.store(id);
        await store.updateSegment(seg.participantId, seg.trackKey, seg.seq, { key: r.key, size: r.size, md5: r.md5, uploadedMs: r.uploadedMs });
        await o.onSegmentStored?.(id, r.key);
      },
    });
    for (const r of recovered) {
      for (const seg of r.pendingSegments) uploader.handoff(r.recordingId)(seg);
      log.info({ recordingId: r.recordingId, recovered: r.recoveredSegments.length, pending: r.pendingSegments.length }, 'recovered recording from spool');
    }
    const diskGuard = o.guardDisk === false ? undefined : new DiskGuard(spool, c.DISK_MIN_FREE_MB, c.DISK_CHECK_INTERVAL_MS);
    await diskGuard?.start();
    const runner = new CallRunner({
      config: c,
      storage: o.storage,
      uploader,
      botMedia: await loadBotMedia(path.resolve(c.WORK_DIR, 'media-cache')),
      diskGuard,
      manifestStore: (id) => manifests.store(id),
      ...(o.logger ? { logger: o.logger } : {}),
    });
    return new RecorderRuntime(spool, manifests, uploader, runner, diskGuard);
  }

  /** Run one part of a call here (see CallRunner.run). */
  run(recordingId: string, hooks: RunHooks = {}): Promise<CallOutcome> {
    return this.runner.run(recordingId, hooks);
  }

  /** Let go of a recording this process no longer writes (its call ended, or a call process takes it). */
  async release(recordingId: string): Promise<void> {
    await this.manifests.release(recordingId);
  }

  /** Release a finished recording and remove its spool (every segment is in storage). */
  async cleanup(recordingId: string): Promise<void> {
    await this.release(recordingId);
    await this.runner.cleanupSpool(recordingId);
  }

  /**
   * Wait (up to `maxMs`) until this process's uploads of a recovered recording are done, then let
   * go of its manifest: a call process is about to become its single writer.
   */
  async settle(recordingId: string, maxMs = 120_000): Promise<void> {
    if (!this.manifests.has(recordingId)) return;
    const store = await this.manifests.store(recordingId).catch(() => undefined);
    const deadline = Date.now() + maxMs;
    while (store && pendingUploads(store.snapshot()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await this.release(recordingId);
  }

  /** Finish queued uploads' bookkeeping and close everything; idempotent. */
  async close(): Promise<void> {
    this.diskGuard?.close();
    await this.uploader.close();
    await this.manifests.closeAll();
  }
}
