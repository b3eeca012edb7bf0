import path from 'node:path';
import { RecbotError } from '../common/errors';
import type { AppConfig } from '../config/config.schema';
import { ManifestStore } from '../manifest/manifest-store';
import { SegmentUploader } from '../pipeline/segment-uploader';
import type { StorageDriver } from '../storage/storage.types';

/**
 * The local (spool) manifests of a process: one ManifestStore per recording, the single writer of
 * `${WORK_DIR}/spool/{id}/manifest.json`, shared by the call and the uploader's bookkeeping.
 */
export class SpoolManifests {
  private readonly stores = new Map<string, Promise<ManifestStore>>();

  constructor(private readonly spoolDir: string) {}

  /** The store of a recording whose local manifest exists (opened once, then shared). */
  store(id: string): Promise<ManifestStore> {
    let p = this.stores.get(id);
    if (!p) {
      p = ManifestStore.open(path.join(this.spoolDir, id, 'manifest.json'), () => {
        throw new RecbotError('NO_LOCAL_MANIFEST', `no local manifest for ${id}`);
      });
      p.catch(() => this.stores.delete(id));
      this.stores.set(id, p);
    }
    return p;
  }

  has(id: string): boolean {
    return this.stores.has(id);
  }

  /** Close and forget a recording's store (its call ended here, or another process takes it). */
  async release(id: string): Promise<void> {
    const p = this.stores.get(id);
    this.stores.delete(id);
    await p?.then((s) => s.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.stores.keys()].map((id) => this.release(id)));
  }
}

/**
 * The segment uploader of a process, recording each verified upload in the recording's spool
 * manifest; `onStored` hears about every stored segment (webhooks).
 */
export function createSegmentUploader(
  config: AppConfig,
  storage: StorageDriver,
  manifests: SpoolManifests,
  onStored?: (recordingId: string, key: string) => void | Promise<void>,
): SegmentUploader {
  return new SegmentUploader({
    storage,
    concurrency: config.UPLOAD_CONCURRENCY,
    queueMax: config.UPLOAD_QUEUE_MAX,
    retryMaxMs: config.UPLOAD_RETRY_MAX_MS,
    ageAlertMs: config.UPLOAD_AGE_ALERT_MS,
    recordUpload: async (id, seg, r) => {
      const store = await manifests.store(id);
      await store.updateSegment(seg.participantId, seg.trackKey, seg.seq, { key: r.key, size: r.size, md5: r.md5, uploadedMs: r.uploadedMs });
      await onStored?.(id, r.key);
    },
  });
}
