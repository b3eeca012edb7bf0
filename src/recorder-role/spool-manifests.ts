import path from 'node:path';
import { RecbotError } from '../common/errors';
import { ManifestStore } from '../manifest/manifest-store';

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
