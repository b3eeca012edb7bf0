import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Logger } from '../common/logger';
import { createLogger } from '../common/logger';
import { ManifestStore } from '../manifest/manifest-store';
import type { ManifestSegment, RecordingManifest } from '../manifest/manifest.types';
import { decodeJournal } from './journal/journal-format';
import { fsyncDir } from './journal/journal-writer';
import { buildSegment, seqName, writeSegmentFile } from './segment-file';

/** One recording found in the spool, after its unfinished segments were rebuilt. */
export interface RecoveredRecording {
  recordingId: string;
  dir: string;
  manifest: RecordingManifest;
  /** Segments rebuilt from journals now (`recovered: true`), to be handed to the uploader. */
  recoveredSegments: ManifestSegment[];
  /** Segments in the manifest that are on disk but not uploaded yet (includes recoveredSegments). */
  pendingSegments: ManifestSegment[];
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * Scan `${spoolDir}/*\/manifest.json`, rebuild every unfinished segment from its journal into a valid
 * segment file (marked `recovered: true`), record the crash gap (from the last journaled frame to
 * now), mark tracks/parts left open as ended, and return the recordings found so the caller can
 * resume them (rejoin as a new part, upload pending segments). Torn journal tails are tolerated.
 */
export async function recoverSpool(
  spoolDir: string,
  opts: { now?: () => number; logger?: Logger; /** Only this recording (a call process recovers its own). */ only?: string; /** Skip these (calls running elsewhere). */ skip?: ReadonlySet<string> } = {},
): Promise<RecoveredRecording[]> {
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? createLogger({ component: 'recover-spool' });
  const found: RecoveredRecording[] = [];
  for (const recordingId of await listDirs(spoolDir)) {
    if ((opts.only !== undefined && recordingId !== opts.only) || opts.skip?.has(recordingId)) continue;
    const dir = path.join(spoolDir, recordingId);
    const manifestFile = path.join(dir, 'manifest.json');
    let store: ManifestStore;
    try {
      if (!(await ManifestStore.read(manifestFile))) continue;
      store = await ManifestStore.open(manifestFile, () => {
        throw new Error('unreachable');
      });
    } catch (e) {
      log.error({ err: e, recordingId }, 'unreadable manifest; recording skipped');
      continue;
    }
    const recovered: ManifestSegment[] = [];
    for (const participantDir of await listDirs(dir)) {
      for (const trackKey of await listDirs(path.join(dir, participantDir))) {
        const trackDir = path.join(dir, participantDir, trackKey);
        const files = (await fsp.readdir(trackDir)).sort();
        for (const f of files) {
          if (f.endsWith('.tmp')) await fsp.unlink(path.join(trackDir, f)).catch(() => undefined);
          if (!f.endsWith('.journal')) continue;
          const seg = await recoverJournal(store, path.join(trackDir, f), now, log);
          if (seg) recovered.push(seg);
        }
        await fsyncDir(trackDir).catch(() => undefined);
      }
    }
    const at = now();
    await store.update((m) => {
      for (const t of m.tracks) {
        if (t.endedMs !== undefined) continue;
        const last = Math.max(t.startedMs, lastArrival(m, t.participantId, t.trackKey) ?? t.startedMs);
        t.endedMs = last;
        // A kill just after a segment rolled over leaves an empty journal (nothing to recover), so
        // recoverJournal added no gap: the track still went dark at the crash, record it.
        const hasCrashGap = m.gaps.some((g) => g.participantId === t.participantId && g.trackKey === t.trackKey && g.reason === 'crash' && g.startMs >= last);
        if (!hasCrashGap && at > last) m.gaps.push({ participantId: t.participantId, trackKey: t.trackKey, startMs: last, endMs: at, reason: 'crash' });
      }
      for (const p of m.parts) if (p.endedMs === undefined) Object.assign(p, { endedMs: at, endReason: 'crash' });
    });
    const manifest = store.snapshot();
    await store.close();
    const pendingSegments = manifest.segments.filter((s) => !s.key && s.localPath);
    found.push({ recordingId, dir, manifest, recoveredSegments: recovered, pendingSegments });
  }
  return found;
}

function lastArrival(m: RecordingManifest, participantId: string, trackKey: string): number | undefined {
  let last: number | undefined;
  for (const s of m.segments) if (s.participantId === participantId && s.trackKey === trackKey) last = Math.max(last ?? 0, s.timeline.lastArrivalMs);
  return last;
}

async function recoverJournal(store: ManifestStore, file: string, now: () => number, log: Logger): Promise<ManifestSegment | undefined> {
  const j = decodeJournal(await fsp.readFile(file));
  if (!j || j.frames.length === 0) {
    await fsp.unlink(file).catch(() => undefined);
    return undefined;
  }
  const h = j.header;
  const done = store.snapshot().segments.find((s) => s.participantId === h.participantId && s.trackKey === h.trackKey && s.seq === h.seq);
  if (done && !done.recovered) {
    // Crash after the segment was made durable and recorded, before its journal was deleted.
    await fsp.unlink(file).catch(() => undefined);
    return undefined;
  }
  // Video must start on a key frame: the gate journals only frames after one, so drop any leading
  // non-key frames defensively.
  const firstKey = h.kind === 'video' ? j.frames.findIndex((f) => f.keyframe) : 0;
  if (firstKey < 0) {
    await fsp.unlink(file).catch(() => undefined);
    return undefined;
  }
  const frames = j.frames.slice(firstKey);
  const built = buildSegment(h.codec, h.clockRate, h.channels, frames, undefined, j.senderReports[0]);
  const segFile = path.join(path.dirname(file), `${seqName(h.seq)}.${built.container}`);
  await writeSegmentFile(segFile, built.bytes);
  const seg: ManifestSegment = {
    participantId: h.participantId, trackKey: h.trackKey, seq: h.seq, part: h.part, container: built.container, localPath: segFile,
    size: built.bytes.length, frames: built.frames, keyframes: built.keyframes, recovered: true, timeline: built.timeline, closedMs: now(),
  };
  await store.addSegment(seg);
  await store.addGap({ participantId: h.participantId, trackKey: h.trackKey, startMs: built.timeline.lastArrivalMs, endMs: now(), reason: 'crash' });
  await fsp.unlink(file);
  log.info({ recordingId: h.recordingId, participantId: h.participantId, trackKey: h.trackKey, seq: h.seq, frames: built.frames, tornBytes: j.tornBytes }, 'segment recovered from journal');
  return seg;
}
