import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BotStatus } from '../bot/bot.types';
import { RecbotError } from '../common/errors';
import { initLogger } from '../common/logger';
import { loadConfig, type AppConfig } from '../config/config.schema';
import { table, segmentTable } from '../demo/demo-table';
import { newManifest } from '../manifest/manifest-store';
import { RecorderRuntime } from '../recorder-role/recorder-runtime';
import type { RecordingManifest } from '../manifest/manifest.types';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import { createStorageDriver } from '../storage/storage.factory';

/** Options of {@link runRecord} (`recbot record`). */
export interface RecordOptions {
  signalingUrl: string;
  /** The app's room code (ROOM_ID_PREFIX is added, as for POST /v1/recordings). */
  roomId: string;
  /** Leave after this long (default BOT_MAX_DURATION_MS). */
  durationS?: number;
  /** The bot's display name (default BOT_DISPLAY_NAME). */
  name?: string;
  /** Storage root (fs driver): segments land in `{out}/recordings/{id}/segments/...`. */
  outDir: string;
  /** Stops the call early (Ctrl-C). */
  signal?: AbortSignal;
}

/** What one `recbot record` run produced. */
export interface RecordResult {
  recordingId: string;
  stopReason: string;
  manifest: RecordingManifest;
  /** Directory holding the recording's objects. */
  recordingDir: string;
}

/** Live state shown on the progress line. */
export interface RecordProgress {
  state: BotStatus['state'];
  participants: number;
  tracks: number;
  kbpsIn: number;
  segments: number;
  uploaded: number;
  elapsedS: number;
}

/** The progress line (pure). */
export function progressLine(p: RecordProgress): string {
  return `${p.elapsedS.toFixed(0).padStart(4)} s  ${p.state}  participants ${p.participants}  tracks ${p.tracks}  in ${Math.round(p.kbpsIn)} kbps  segments ${p.segments} written / ${p.uploaded} uploaded`;
}

/** Segments per participant and track (the demo's table) plus where the files are. */
export function recordSummary(r: RecordResult): string {
  const m = r.manifest;
  const head = table(
    ['recording', 'room', 'stop reason', 'participants', 'segments'],
    [[r.recordingId, m.roomId, r.stopReason, m.participants.length, m.segments.length]],
  );
  return `${head}\n\n${segmentTable(m)}\n\nFiles: ${r.recordingDir}\n`;
}

/**
 * Record one call with one bot, without Redis or the job queue: the same RecorderRuntime as the
 * recorder role (bot + RecordingSession + verified uploads), storing into the fs driver under `outDir`. No
 * post-call processing: the result is the segments and the manifest (status `processing`).
 */
export async function runRecord(
o: RecordOptions,
env: Record<string, string | undefined>,
onProgress: (p: RecordProgress) => void = () => undefined,
): Promise<RecordResult> {
const outDir = path.resolve(o.outDir);
const config: AppConfig = loadConfig({
  LOG_LEVEL: 'warn',
  ...env,
  STORAGE_DRIVER: 'fs',
  STORAGE_FS_DIR: outDir,
  WORK_DIR: env.WORK_DIR ?? path.join(outDir, '.recbot-work'),
});
initLogger({ level: config.LOG_LEVEL, pretty: false });
await mkdir(path.resolve(config.WORK_DIR), { recursive: true });
const storage = createStorageDriver(config);
const recordingId = randomUUID();
const startedMs = Date.now();
const runtime = await RecorderRuntime.start({ config, storage, recover: 'none', guardDisk: false }).catch(async (err: unknown) => {
  await storage.close();
  throw err;
});

try {
  await new StorageManifestRepository(storage).save(
    newManifest({
      recordingId,
      roomId: o.roomId,
      signalingUrl: o.signalingUrl,
      sessionStartMs: startedMs,
      options: {
        roomIdPrefix: config.ROOM_ID_PREFIX,
        signalingPath: config.SIGNALING_PATH,
        displayName: o.name ?? config.BOT_DISPLAY_NAME,
        maxDurationMs: o.durationS !== undefined ? o.durationS * 1000 : config.BOT_MAX_DURATION_MS,
        emptyRoomTimeoutMs: config.BOT_EMPTY_ROOM_TIMEOUT_MS,
        transcribe: false,
        source: 'recbot record',
      },
    }),
  );
  const outcome = await runtime.run(recordingId, {
    signal: o.signal,
    abortReason: () => 'stopped',
    onStatus: (st, s) =>
      onProgress({
        state: st.state,
        participants: st.participants.length,
        tracks: st.peers.reduce((n, p) => n + p.tracks, 0),
        kbpsIn: st.peers.reduce((n, p) => n + p.kbpsIn, 0),
        segments: s.segments,
        uploaded: s.uploaded,
        elapsedS: (Date.now() - startedMs) / 1000,
      }),
  });
  await runtime.cleanup(recordingId);
  return { recordingId, stopReason: outcome.stopReason, manifest: outcome.manifest, recordingDir: path.join(outDir, 'recordings', recordingId) };
} finally {
  await runtime.close();
  await storage.close();
}
}

/** `recbot record` (usage and help text: src/cli/commands.ts). */
export async function runRecordCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      signal: { type: 'string' },
      room: { type: 'string' },
      duration: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string', default: 'recordings-out' },
    },
  });
  if (!values.signal || !/^(https?|wss?):\/\//i.test(values.signal)) throw new RecbotError('BAD_ARGS', '--signal must be an http(s) or ws(s) URL');
  if (!values.room) throw new RecbotError('BAD_ARGS', '--room is required');
  const durationS = values.duration === undefined ? undefined : Number(values.duration);
  if (durationS !== undefined && !(Number.isInteger(durationS) && durationS >= 1 && durationS <= 24 * 3600)) {
    throw new RecbotError('BAD_ARGS', '--duration must be 1..86400 seconds');
  }
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const tty = process.stdout.isTTY === true;
  let last = '';
  let lastAt = 0;
  process.stdout.write(`recbot record: joining room ${values.room} on ${values.signal}${durationS ? ` for ${durationS} s` : ''}; Ctrl-C to stop\n`);
  try {
    const result = await runRecord(
      { signalingUrl: values.signal, roomId: values.room, durationS, name: values.name, outDir: values.out, signal: abort.signal },
      env,
      (p) => {
        const line = progressLine(p);
        if (tty) process.stdout.write(`\r\x1b[K${line}`);
        else if (line.replace(/^\s*\d+ s/, '') !== last.replace(/^\s*\d+ s/, '') && Date.now() - lastAt >= 1000) {
          // Not a terminal (logs, tests): one line per change, at most one a second.
          process.stdout.write(`${line}\n`);
          last = line;
          lastAt = Date.now();
        }
      },
    );
    process.stdout.write(`${tty ? '\n' : ''}\n${recordSummary(result)}`);
    return result.manifest.segments.length > 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
