import { RecbotError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { ManifestOutput, RecordingManifest } from '../manifest/manifest.types';
import type { ObjectInfo, StorageDriver } from '../storage/storage.types';
import { withGaps, type StorageManifestRepository } from '../manifest/manifest-repository';
import { transition } from '../manifest/manifest-status';
import { OUTPUT_TAG, tagsOf } from './output-publisher';
import { storageKeys } from '../storage/storage-keys';
import { speakerContainer, speakersOf } from './timeline';
import { retentionTags, stageTags } from '../storage/lifecycle-rules';
import { statusDetailsOf } from '../manifest/coverage-summary';

/** Per-recording retention (days) from the manifest options, when set. */
export function retentionOf(m: RecordingManifest): Record<string, string> {
  const days = m.options?.retentionDays;
  return typeof days === 'number' && Number.isSafeInteger(days) && days >= 1 ? retentionTags(days) : {};
}

export interface PublisherOptions {
  storage: StorageDriver;
  manifests: Pick<StorageManifestRepository, 'load' | 'save' | 'findings'>;
  /** Expect speakers/{pid}.mp4 too. */
  mp4?: boolean;
  /** Parallel tag requests (default 8). */
  concurrency?: number;
  now?: () => number;
}

/**
 * The last step before the webhook: find every output at its final key, record them, the gaps the
 * mux jobs found and the status in the manifest, tag outputs for retention and staging segments for expiry, and upload
 * manifest.json. Every step is idempotent, so a retry is harmless.
 */
export class Publisher {
  private readonly log = createLogger({ component: 'publisher' });
  constructor(private readonly opts: PublisherOptions) {}

  async publish(recordingId: string): Promise<RecordingManifest> {
    const { storage } = this.opts;
    const now = this.opts.now ?? Date.now;
    const loaded = await this.opts.manifests.load(recordingId);
    const findings = await this.opts.manifests.findings(recordingId);
    const m = withGaps(loaded, findings.gaps);
    const expected: { kind: ManifestOutput['kind']; key: string; participantId?: string; required: boolean }[] = [];
    for (const pid of speakersOf(m)) {
      expected.push({ kind: 'speaker', key: storageKeys.speaker(recordingId, pid, speakerContainer(m, pid)), participantId: pid, required: true });
      if (this.opts.mp4) expected.push({ kind: 'speaker-mp4', key: storageKeys.speaker(recordingId, pid, 'mp4'), participantId: pid, required: true });
    }
    expected.push({ kind: 'mix', key: storageKeys.mix(recordingId), required: false });
    const outputs: ManifestOutput[] = [];
    const infos: ObjectInfo[] = [];
    for (const e of expected) {
      const info = await storage.head(e.key);
      if (!info) {
        if (e.required) throw new RecbotError('OUTPUT_MISSING', `expected output ${e.key} is missing`, { retryable: true });
        continue;
      }
      infos.push(info);
      outputs.push(toOutput(e.kind, { ...info, tags: await tagsOf(storage, info) }, now(), e.participantId));
    }
    for (const info of await storage.list(storageKeys.transcriptPrefix(recordingId))) {
      infos.push(info);
      outputs.push(toOutput('transcript', info, now()));
    }
    const retention = retentionOf(m);
    // both drivers merge tags, so the output's own tags (verified, duration, md5) stay
    await this.forEach(infos, (info) => storage.putTags(info.key, { ...stageTags('output'), ...retention }));
    // staging segments are no longer needed: the lifecycle rule expires `recbot-stage=staging`
    // ... and neither are the per-speaker transcripts once merged into transcript.*; listing the
    // segments too stages objects a killed part uploaded but never put in the manifest.
    const parts = (await storage.list(storageKeys.transcriptPartsPrefix(recordingId))).map((o) => o.key);
    const segments = (await storage.list(storageKeys.segmentsPrefix(recordingId))).map((o) => o.key);
    const staged = [...new Set([...m.segments.filter((s) => s.key !== undefined).map((s) => s.key as string), ...segments, ...parts, ...findings.keys])];
    await this.forEach(staged, (key) => storage.putTags(key, { ...stageTags('staging'), ...retention }));
    const byKey = new Map(m.outputs.map((o) => [o.key, o]));
    for (const o of outputs) {
      const prev = byKey.get(o.key);
      byKey.set(o.key, prev && prev.md5 === o.md5 ? prev : o);
    }
    const withOutputs: RecordingManifest = { ...m, outputs: [...byKey.values()] };
    const statusDetails = statusDetailsOf(withOutputs);
    const holes = statusDetails.notRecorded;
    const reason = holes.length > 0 ? `not recorded: ${holes.map((h) => `${h.participantId} ${Math.round(h.notRecordedMs / 1000)} s`).join(', ')}` : undefined;
    const moved = transition({ ...withOutputs, statusDetails }, { to: 'completed', atMs: now(), reason });
    if (!moved.ok) throw new RecbotError('RECORDING_ENDED', `recording ${recordingId} is ${moved.from}; not publishing`);
    const updated = moved.manifest;
    await this.opts.manifests.save(updated);
    if (Object.keys(retention).length > 0) await storage.putTags(storageKeys.manifest(recordingId), retention);
    this.log.info({ recordingId, outputs: outputs.length, staged: staged.length }, 'recording published');
    return updated;
  }

  private async forEach<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, items.length) }, worker));
  }
}

function toOutput(kind: ManifestOutput['kind'], info: ObjectInfo, createdMs: number, participantId?: string): ManifestOutput {
  const duration = Number(info.tags?.[OUTPUT_TAG.durationMs] ?? NaN);
  const ext = info.key.slice(info.key.lastIndexOf('.') + 1);
  return {
    kind,
    ...(participantId ? { participantId } : {}),
    key: info.key,
    size: info.size,
    md5: info.tags?.[OUTPUT_TAG.md5] ?? info.md5 ?? '',
    ...(Number.isFinite(duration) ? { durationMs: duration } : {}),
    format: ext,
    createdMs: info.lastModified?.getTime() ?? createdMs,
  };
}
