import { RecbotError } from '../common/errors';
import type { ManifestGap, RecordingManifest, RecordingStatus } from './manifest.types';
import type { StorageDriver } from '../storage/storage.types';
import { storageKeys } from '../storage/storage-keys';
import { failEvent, transition } from './manifest-status';

/**
 * Where jobs, the API and recorders read and write a recording's shared manifest
 * (recordings/{id}/manifest.json in object storage, visible to every pod).
 */
export interface ManifestRepository {
  load(recordingId: string): Promise<RecordingManifest>;
  save(manifest: RecordingManifest): Promise<void>;
}

/** What a post-call job found that belongs in the manifest; merged once, by Publish. */
export interface JobFindings {
  /** Gaps found while muxing (segments left out as `corrupt`). */
  gaps: ManifestGap[];
}

/** Minimal shape check of an unknown JSON value. */
export function asManifest(value: unknown, recordingId: string): RecordingManifest {
  const v = value as Partial<RecordingManifest> | null;
  if (!v || typeof v !== 'object' || v.version !== 1 || v.recordingId !== recordingId || !Array.isArray(v.segments) || typeof v.sessionStartMs !== 'number') {
    throw new RecbotError('MANIFEST_INVALID', `manifest of ${recordingId} is not a valid v1 manifest`);
  }
  return v as RecordingManifest;
}

export interface FailOptions {
  /** Leave the recording alone in these states too (besides the ones nothing moves out of). */
  unlessIn?: readonly RecordingStatus[];
  atMs?: number;
}

/**
 * The stored manifest's one owner: load/save, status moves through `transition`, the one way to
 * fail a recording, and the per-job findings that Publish merges (each job writes its own object,
 * so parallel jobs never read-modify-write the shared manifest).
 */
export class StorageManifestRepository implements ManifestRepository {
  /**
   * @param onFailed told after a recording moved to `failed` (queues the `recording.failed` webhook)
   */
  constructor(
    private readonly storage: StorageDriver,
    private readonly onFailed?: (recordingId: string) => Promise<void>,
  ) {}

  async load(recordingId: string): Promise<RecordingManifest> {
    const m = await this.find(recordingId);
    if (!m) throw new RecbotError('MANIFEST_NOT_FOUND', `no ${storageKeys.manifest(recordingId)}`, { retryable: true });
    return m;
  }

  /** The manifest, or undefined when none is stored. */
  async find(recordingId: string): Promise<RecordingManifest | undefined> {
    const key = storageKeys.manifest(recordingId);
    if (!(await this.storage.head(key))) return undefined;
    const buf = await this.storage.getBuffer(key);
    return asManifest(JSON.parse(buf.toString('utf8')) as unknown, recordingId);
  }

  async save(manifest: RecordingManifest): Promise<void> {
    await this.storage.putBuffer(storageKeys.manifest(manifest.recordingId), JSON.stringify(manifest, null, 2), {
      contentType: 'application/json',
    });
  }

  /**
   * Fail a recording: status `failed` with its reason in the history, saved, then `onFailed`.
   * Returns false (and changes nothing) when it already ended or is in `unlessIn`.
   */
  async fail(recordingId: string, reason: string, opts: FailOptions = {}): Promise<boolean> {
    const m = await this.load(recordingId);
    if (opts.unlessIn?.includes(m.status)) return false;
    const r = transition(m, failEvent(reason, opts.atMs ?? Date.now()));
    if (!r.ok || !r.changed) return false;
    await this.save(r.manifest);
    await this.onFailed?.(recordingId);
    return true;
  }

  /** Store what one job found (`job`: e.g. `mux-{participantId}`); a retry overwrites its own object only. */
  async saveFindings(recordingId: string, job: string, findings: JobFindings): Promise<void> {
    await this.storage.putBuffer(storageKeys.jobFindings(recordingId, job), JSON.stringify(findings), { contentType: 'application/json' });
  }

  /** Every job's findings of a recording, with the keys they are stored at. */
  async findings(recordingId: string): Promise<{ keys: string[]; gaps: ManifestGap[] }> {
    const objects = await this.storage.list(storageKeys.jobFindingsPrefix(recordingId));
    const gaps: ManifestGap[] = [];
    for (const o of objects) {
      const v = JSON.parse((await this.storage.getBuffer(o.key)).toString('utf8')) as Partial<JobFindings> | null;
      if (v && Array.isArray(v.gaps)) gaps.push(...v.gaps);
    }
    return { keys: objects.map((o) => o.key), gaps };
  }
}

/** `m` with `gaps` added (a gap already listed, same participant/track/start/reason, is not added twice). */
export function withGaps(m: RecordingManifest, gaps: readonly ManifestGap[]): RecordingManifest {
  const key = (g: ManifestGap) => `${g.participantId}/${g.trackKey}/${g.startMs}/${g.reason}`;
  const seen = new Set(m.gaps.map(key));
  const added = gaps.filter((g) => g.endMs > g.startMs && !seen.has(key(g)) && (seen.add(key(g)), true));
  return added.length === 0 ? m : { ...m, gaps: [...m.gaps, ...added] };
}
