import { promises as fsp } from 'fs';
import * as path from 'path';
import type {
  GapReason, ManifestGap, ManifestOutput, ManifestPart, ManifestParticipant, ManifestSegment, ManifestTrack,
  RecordingManifest, RecordingStatus,
} from './manifest.types';

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
 * The local manifest of one recording (`${spool}/{recordingId}/manifest.json`). Every change goes
 * through one serialized queue and is persisted atomically before the returned promise resolves, so
 * a crash leaves either the old or the new manifest, never a torn one. A failed write (ENOSPC) keeps
 * the change in memory and is retried by the next update.
 */
export class ManifestStore {
  private queue: Promise<unknown> = Promise.resolve();
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
      throw new Error(`invalid manifest ${file}`);
    }
    return parsed as RecordingManifest;
  }

  /** A deep copy of the current manifest. */
  snapshot(): RecordingManifest {
    return structuredClone(this.manifest);
  }

  /** Apply `fn` to the manifest and persist it; updates run one at a time in call order. */
  update<T>(fn: (m: RecordingManifest) => T): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('manifest store closed');
      const result = fn(this.manifest);
      await writeFileAtomic(this.file, JSON.stringify(this.manifest, null, 1));
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
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

  setStatus(status: RecordingStatus, atMs: number, reason?: string): Promise<void> {
    return this.update((m) => {
      if (m.status === status) return;
      m.status = status;
      m.statusHistory.push({ status, atMs, reason });
      if (status === 'processing' && m.sessionEndMs === undefined) m.sessionEndMs = atMs;
    });
  }

  /** Wait for pending writes, then refuse further updates; idempotent. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
  }
}

export type { GapReason };
