import type { ObjectInfo, StorageDriver } from '../storage/storage.types';
import { md5OfFile } from '../storage/storage-util';

/** An object's tags: from head() when the driver returns them (fs), else one getTags call (S3). */
export async function tagsOf(storage: StorageDriver, info: ObjectInfo): Promise<Record<string, string>> {
  return info.tags && Object.keys(info.tags).length > 0 ? info.tags : storage.getTags(info.key);
}

/** Tags every verified output carries (read back by check-then-write and Publish). */
export const OUTPUT_TAG = { verified: 'recbot-verified', durationMs: 'recbot-duration-ms', md5: 'recbot-md5' } as const;

export interface PublishedObject extends ObjectInfo {
  md5: string;
  durationMs?: number;
  /** False when an existing, at least as good object was kept. */
  written: boolean;
}

/**
 * Check-then-write of a verified output: same content -> reuse; an existing verified object at
 * least as long (within `toleranceMs`) -> keep it (a retry never replaces a good object with a
 * worse one); otherwise write with MD5 verification and the output tags.
 */
export async function putVerifiedOutput(
  storage: StorageDriver,
  key: string,
  localPath: string,
  meta: { durationMs: number; contentType: string; toleranceMs?: number; retainUntil?: Date },
): Promise<PublishedObject> {
  const { md5, size } = await md5OfFile(localPath);
  const existing = await storage.head(key);
  if (existing) {
    const tags = await tagsOf(storage, existing);
    const existingMd5 = tags[OUTPUT_TAG.md5] ?? existing.md5;
    const existingDuration = Number(tags[OUTPUT_TAG.durationMs] ?? NaN);
    if (existingMd5 === md5) return { ...existing, md5, durationMs: meta.durationMs, written: false };
    if (tags[OUTPUT_TAG.verified] === '1' && existingDuration >= meta.durationMs - (meta.toleranceMs ?? 100)) {
      return { ...existing, md5: existingMd5 ?? '', durationMs: existingDuration, written: false };
    }
  }
  const tags = { [OUTPUT_TAG.verified]: '1', [OUTPUT_TAG.durationMs]: String(meta.durationMs), [OUTPUT_TAG.md5]: md5 };
  const info = await storage.putFile(key, localPath, { md5, tags, contentType: meta.contentType, ...(meta.retainUntil ? { retainUntil: meta.retainUntil } : {}) });
  return { ...info, size: info.size || size, md5, durationMs: meta.durationMs, written: true };
}
