import { RecbotError } from '../common/errors';
import type { RecordingManifest } from '../manifest/manifest.types';
import type { StorageDriver } from '../storage/storage.types';
import { pipelineKeys } from './pipeline-keys';

/**
 * Where pipeline jobs read and write a recording's manifest. The default reads/writes
 * recordings/{id}/manifest.json in object storage (visible to every pod); a recorder-side store can
 * implement the same interface.
 */
export interface ManifestSource {
  load(recordingId: string): Promise<RecordingManifest>;
  save(manifest: RecordingManifest): Promise<void>;
}

/** Minimal shape check of an unknown JSON value (the full schema belongs to the manifest feature). */
export function asManifest(value: unknown, recordingId: string): RecordingManifest {
  const v = value as Partial<RecordingManifest> | null;
  if (!v || typeof v !== 'object' || v.version !== 1 || v.recordingId !== recordingId || !Array.isArray(v.segments) || typeof v.sessionStartMs !== 'number') {
    throw new RecbotError('MANIFEST_INVALID', `manifest of ${recordingId} is not a valid v1 manifest`);
  }
  return v as RecordingManifest;
}

export class StorageManifestSource implements ManifestSource {
  constructor(private readonly storage: StorageDriver) {}

  async load(recordingId: string): Promise<RecordingManifest> {
    const key = pipelineKeys.manifest(recordingId);
    if (!(await this.storage.head(key))) throw new RecbotError('MANIFEST_NOT_FOUND', `no ${key}`, { retryable: true });
    const buf = await this.storage.getBuffer(key);
    return asManifest(JSON.parse(buf.toString('utf8')) as unknown, recordingId);
  }

  async save(manifest: RecordingManifest): Promise<void> {
    await this.storage.putBuffer(pipelineKeys.manifest(manifest.recordingId), JSON.stringify(manifest, null, 2), {
      contentType: 'application/json',
    });
  }
}
