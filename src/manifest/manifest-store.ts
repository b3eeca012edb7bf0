import { promises as fsp } from 'fs';
import * as path from 'path';
import type {
  GapReason, ManifestGap, ManifestOutput, ManifestPart, ManifestParticipant, ManifestSegment, ManifestTrack,
  RecordingManifest, RecordingStatus,
} from './manifest.types';
import { transition } from './manifest-status';
import { RecbotError } from '../common/errors';

/** Write `data` to `file` atomically: temp file, fsync, rename, fsync the directory. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const h = await fsp.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    // ENOSPC and friends: never leave a partial temp file; the old file stays intact.
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  const d = await fsp.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** A fresh manifest for a new recording. */
export function newManifest(init: { recordingId: string; roomId: string; signalingUrl?: string; sessionStartMs: number; options?: Record<string, unknown> }): RecordingManifest {
  return {
    version: 1, recordingId: init.recordingId, roomId: init.roomId, signalingUrl: init.signalingUrl, status: 'pending',
    sessionStartMs: init.sessionStartMs, participants: [], tracks: [], segments: [], gaps: [], parts: [], outputs: [],
    statusHistory: [{ status: 'pending', atMs: init.sessionStartMs }], webhooks: [], options: init.options,
  };
}

/**
 * The local manifest of one recording (`${spool}/{recordingId}/manifest.json`). Changes are applied
 * in call order and persisted atomically (temp + fsync + rename) before the returned promise
 * resolves, so a crash leaves either an older or the newer manifest, never a torn one. A failed
 * write (ENOSPC) rejects but keeps the change in memory; the next successful write includes it.
 */
export class ManifestStore {
  /** The write in progress (settled when idle). */
  private writing: Promise<void> = Promise.resolve();
  /** The next write, shared by every update made while `writing` runs (group commit). */
  private pending: Promise<void> | undefined;
  private closed = false;

  private constructor(readonly file: string, private manifest: RecordingManifest) {}

  /** Open an existing manifest or create it from `init`. */
  static async open(file: string, init: () => RecordingManifest): Promise<ManifestStore> {
    const existing = await ManifestStore.read(file);
    const store = new ManifestStore(file, existing ?? init());
    if (!existing) {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await store.update(() => undefined);
    }
    return store;
  }

  /** Read and minimally validate a manifest file; undefined when missing. */
  static async read(file: string): Promise<RecordingManifest | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || (parsed as { version?: unknown }).version !== 1 || typeof (parsed as { recordingId?: unknown }).recordingId !== 'string') {
      throw new RecbotError('MANIFEST_INVALID', `invalid manifest ${file}`);
    }
    return parsed as RecordingManifest;
  }

  /** A deep copy of the current manifest. */
  snapshot(): RecordingManifest {
    return structuredClone(this.manifest);
  }

  /**
   * Apply `fn` to the manifest now (updates are applied one at a time, in call order) and resolve
   * once a write that includes it is durable. Writes never overlap; updates made while one runs
   * share the next write (group commit), so a busy recording does not rewrite the file per change.
   */
  update<T>(fn: (m: RecordingManifest) => T): Promise<T> {
    if (this.closed) return Promise.reject(new RecbotError('SESSION_CLOSED', 'manifest store closed'));
    let result: T;
    try {
      result = fn(this.manifest);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.persist().then(() => result);
  }

  private persist(): Promise<void> {
    if (!this.pending) {
      const next = this.writing.then(() => {
        this.pending = undefined; // later updates need a later write
        return writeFileAtomic(this.file, JSON.stringify(this.manifest, null, 1));
      });
      this.pending = next;
      this.writing = next.catch(() => undefined);
    }
    return this.pending;
  }

  addParticipant(p: ManifestParticipant): Promise<void> {
    return this.update((m) => {
      const found = m.participants.find((x) => x.participantId === p.participantId);
      if (found) Object.assign(found, { name: p.name || found.name, lastSeenMs: p.lastSeenMs ?? found.lastSeenMs });
      else m.participants.push(p);
    });
  }

  addTrack(t: ManifestTrack): Promise<void> {
    return this.update((m) => {
      const i = m.tracks.findIndex((x) => x.participantId === t.participantId && x.trackKey === t.trackKey && x.part === t.part);
      if (i >= 0) m.tracks[i] = { ...m.tracks[i], ...t };
      else m.tracks.push(t);
    });
  }

  endTrack(participantId: string, trackKey: string, part: number, endedMs: number): Promise<void> {
    return this.update((m) => {
      const t = m.tracks.find((x) => x.participantId === participantId && x.trackKey === trackKey && x.part === part);
      if (t) t.endedMs = endedMs;
    });
  }

  /** Add or replace (same participant, track and seq) a segment entry. */
  addSegment(s: ManifestSegment): Promise<void> {
    return this.update((m) => {
      const i = m.segments.findIndex((x) => x.participantId === s.participantId && x.trackKey === s.trackKey && x.seq === s.seq);
      if (i >= 0) m.segments[i] = s;
      else m.segments.push(s);
    });
  }

  updateSegment(participantId: string, trackKey: string, seq: number, patch: Partial<ManifestSegment>): Promise<void> {
    return this.update((m) => {
      const s = m.segments.find((x) => x.participantId === participantId && x.trackKey === trackKey && x.seq === seq);
      if (s) Object.assign(s, patch);
    });
  }

  addGap(g: ManifestGap): Promise<void> {
    return this.update((m) => {
      if (g.endMs > g.startMs) m.gaps.push(g);
    });
  }

  addPart(p: ManifestPart): Promise<void> {
    return this.update((m) => {
      if (!m.parts.some((x) => x.part === p.part)) m.parts.push(p);
    });
  }

  endPart(part: number, endedMs: number, endReason?: string): Promise<void> {
    return this.update((m) => {
      const p = m.parts.find((x) => x.part === part);
      if (p) Object.assign(p, { endedMs, endReason });
    });
  }

  addOutput(o: ManifestOutput): Promise<void> {
    return this.update((m) => {
      const i = m.outputs.findIndex((x) => x.key === o.key);
      if (i >= 0) m.outputs[i] = o;
      else m.outputs.push(o);
    });
  }

  /** Move the status (manifest-status.ts rules); a move the rules refuse changes nothing. */
  setStatus(status: RecordingStatus, atMs: number, reason?: string): Promise<void> {
    return this.update((m) => {
      const r = transition(m, { to: status, atMs, reason });
      if (r.ok && r.changed) this.manifest = r.manifest;
    });
  }

  /** Refuse further updates and wait for pending writes; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
  }
}

export type { GapReason };
