import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Bot, type BotMedia, type BotStatus } from '../bot/bot';
import { botSettingsFromConfig } from '../bot/bot-settings';
import { RecbotError, errorMessage } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { mergeManifest } from '../manifest/manifest-merge';
import { ENDED_STATUSES } from '../manifest/manifest-status';
import { writeFileAtomic, type ManifestStore } from '../manifest/manifest-store';
import type { ManifestSegment, RecordingManifest } from '../manifest/manifest.types';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import type { SegmentUploader } from './upload-lane';
import type { DiskGuard } from '../recorder/disk-guard';
import { RecordingSession, recorderSettingsFromConfig } from '../recorder/recording-session';
import { GdmnSignalingAdapter } from '../signaling/gdmn-signaling.adapter';
import { parseSegmentKey, storageKeys } from '../storage/storage-keys';
import type { StorageDriver } from '../storage/storage.types';
import { pendingUploads, readCallOptions, type CallOptions } from './call-options';
import { outboundPolicyFrom } from '../security/outbound-policy';

/** What the runner needs from the process around it. */
export interface CallRunnerDeps {
  config: AppConfig;
  storage: StorageDriver;
  uploader: SegmentUploader;
  botMedia: BotMedia;
  diskGuard?: DiskGuard;
  /** The one ManifestStore of a recording's local manifest (shared with the uploader's updates). */
  manifestStore(recordingId: string): Promise<ManifestStore>;
  logger?: Logger;
}

/** How one run of a call ended. */
export interface CallOutcome {
  recordingId: string;
  part: number;
  stopReason: string;
  /** The manifest as pushed to storage at the end (status 'processing' unless `handover`). */
  manifest: RecordingManifest;
  /** True when the call goes on and another recorder should take it over (drain, disk full). */
  handover: boolean;
}

export interface RunHooks {
  onStatus?(status: BotStatus, stats: { segments: number; uploaded: number }): void;
  /** Resolves (or the signal aborts) when the call must stop early. */
  signal?: AbortSignal;
  /** Stop reason to use when `signal` aborts (default 'stopped'). */
  abortReason?(): string;
  /** A call process verified a segment upload (object key); inline runs report via the uploader's recordUpload. */
  onSegmentStored?(key: string): void;
  /** This run's part number and bot participant id, once its session is open. */
  onPart?(part: number, botId: string): void;
}

const MANIFEST_PUSH_MS = 5000;
/** Segment numbers skipped when storage cannot be listed at a part's start (see storedSeqFloor). */
export const SEQ_SKIP_UNLISTED = 1000;

/**
 * The highest segment number in storage per participant/track. A part that was killed may have
 * uploaded segments its manifest never listed (the manifest is pushed every few seconds); the next
 * part numbers its segments above them so it never overwrites their objects (keys carry no part).
 * When storage cannot be listed, or an earlier part may still be recording (`earlierLive`: it
 * never ended), numbers also skip SEQ_SKIP_UNLISTED ahead.
 */
export async function storedSeqFloor(
  storage: StorageDriver, recordingId: string, known: () => readonly ManifestSegment[], log: Logger, earlierLive = false,
): Promise<(participantId: string, trackKey: string) => number> {
  const skip = earlierLive ? SEQ_SKIP_UNLISTED : 0;
  try {
    const floor = new Map<string, number>();
    for (const o of await storage.list(storageKeys.segmentsPrefix(recordingId))) {
      const k = parseSegmentKey(o.key);
      if (k) floor.set(`${k.participantId}/${k.track}`, Math.max(floor.get(`${k.participantId}/${k.track}`) ?? 0, k.seq));
    }
    return (participantId, trackKey) => (floor.get(`${participantId}/${trackKey}`) ?? 0) + skip;
  } catch (err) {
    log.warn({ err: errorMessage(err) }, `cannot list stored segments; new segment numbers skip ${SEQ_SKIP_UNLISTED} ahead`);
    return (participantId, trackKey) => {
      const mine = known().filter((s) => s.participantId === participantId && s.trackKey === trackKey);
      return Math.max(0, ...mine.map((s) => s.seq)) + Math.max(skip, SEQ_SKIP_UNLISTED);
    };
  }
}
const UPLOAD_WAIT_MS = 6 * 3600_000;
/** Stop reasons after which the call goes on without us and another recorder should rejoin. */
export const HANDOVER_REASONS = new Set(['shutdown', 'disk-full', 'lock-lost']);

/**
 * Runs one part of one recording on this recorder: seed the local manifest from storage, open a
 * RecordingSession, join the room with a Bot, record until the bot leaves (empty room, max duration,
 * stop request, terminal signaling failure), close every track, wait until every closed segment is
 * uploaded and verified, then push the final manifest to storage. Flow creation is the caller's.
 */
export class CallRunner {
  private readonly log: Logger;
  private readonly manifests: StorageManifestRepository;

  constructor(private readonly deps: CallRunnerDeps) {
    this.log = deps.logger ?? createLogger({ component: 'call-runner' });
    this.manifests = new StorageManifestRepository(deps.storage);
  }

  spoolDir(): string {
    return path.resolve(this.deps.config.WORK_DIR, 'spool');
  }

  /** `${spool}/{recordingId}/manifest.json` */
  manifestFile(recordingId: string): string {
    return path.join(this.spoolDir(), recordingId, 'manifest.json');
  }

  async run(recordingId: string, hooks: RunHooks = {}): Promise<CallOutcome> {
    const c = this.deps.config;
    const log = this.log.child({ recordingId });
    const remote = await this.manifests.load(recordingId);
    if (ENDED_STATUSES.has(remote.status)) {
      // A stale JoinCall (e.g. re-run after Redis lost its lock while the flow was being created):
      // never rejoin a call that ended. 'processing' returns the outcome so the caller re-ensures the flow.
      if (remote.status !== 'processing') throw new RecbotError('RECORDING_ENDED', `recording ${recordingId} is ${remote.status}; not rejoining`);
      log.warn({ status: remote.status }, 'JoinCall for a call that already ended; not rejoining');
      const last = remote.parts.reduce((max, p) => Math.max(max, p.part), 0);
      return { recordingId, part: last, stopReason: 'already-ended', manifest: remote, handover: false };
    }
    const opts = readCallOptions(remote, c);
    if (!remote.signalingUrl) throw new RecbotError('BAD_RECORDING', `recording ${recordingId} has no signalingUrl`);
    const localFile = this.manifestFile(recordingId);
    if (!existsSync(localFile)) {
      // A new recording here (or a takeover from another recorder): continue the shared manifest.
      await mkdir(path.dirname(localFile), { recursive: true });
      await writeFileAtomic(localFile, JSON.stringify(remote, null, 1));
    }
    const store = await this.deps.manifestStore(recordingId);
    const known = [...remote.parts, ...store.snapshot().parts];
    const part = known.reduce((max, p) => Math.max(max, p.part), 0) + 1;
    // A part that never ended (killed, or still recording after losing its job lock) may go on
    // numbering segments: this part's numbers start SEQ_SKIP_UNLISTED above, out of its way.
    const earlierLive = known.some((p) => p.endedMs === undefined);
    const seqFloor = await storedSeqFloor(this.deps.storage, recordingId, () => store.snapshot().segments, log, earlierLive);

    const signaling = new GdmnSignalingAdapter({
      url: remote.signalingUrl,
      path: opts.signalingPath,
      webrtcConfigPath: c.SIGNALING_WEBRTC_CONFIG_PATH,
      appUrl: opts.appUrl,
      outbound: outboundPolicyFrom(c.OUTBOUND_ALLOW),
      roomId: remote.roomId,
      roomIdPrefix: opts.roomIdPrefix,
      name: opts.displayName,
      heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
      reconnectMaxAttempts: c.RECONNECT_MAX_ATTEMPTS,
      logger: log,
    });
    const session = await RecordingSession.open({
      recordingId,
      roomId: remote.roomId,
      signalingUrl: remote.signalingUrl,
      spoolDir: this.spoolDir(),
      part,
      botId: signaling.selfId,
      ...recorderSettingsFromConfig(c),
      onSegmentClosed: this.deps.uploader.handoff(recordingId),
      diskGuard: this.deps.diskGuard,
      logger: log.child({ part }),
      options: remote.options,
      manifest: store,
      seqFloor,
    });
    const bot = new Bot({
      signaling,
      sinkFactory: session,
      media: this.deps.botMedia,
      settings: { ...botSettingsFromConfig(c), maxDurationMs: opts.maxDurationMs, emptyRoomTimeoutMs: opts.emptyRoomTimeoutMs },
      logger: log.child({ part }),
    });
    hooks.onPart?.(part, signaling.selfId);
    // Announce the part in storage at once (not at the first periodic push): the next part's number
    // and a recorder waiting to hand over after a lost lock both read it from there.
    void this.push(session.manifest, log);
    // Periodic pushes, jittered: two writers of one recording (see saveMerged) must not keep landing
    // in the same instant, where one's read-merge-write would keep erasing the other's last write.
    let pushTimer: NodeJS.Timeout | undefined;
    let pushing = true;
    const schedulePush = (): void => {
      pushTimer = setTimeout(() => {
        void this.push(session.manifest, log).finally(() => {
          if (pushing) schedulePush();
        });
      }, MANIFEST_PUSH_MS * (0.7 + Math.random() * 0.6));
    };
    schedulePush();
    const onAbort = (): void => void bot.stop(hooks.abortReason?.() ?? 'stopped');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    bot.on('coverageGap', (g) => {
      // participant-level: one gap per expected kind, so each default track's timeline shows it
      for (const trackKey of ['audio', 'video']) void session.manifest.addGap({ ...g, trackKey }).catch(() => undefined);
    });
    bot.on('status', (st) => {
      for (const p of st.participants) void session.addParticipant(p.id, p.name).catch(() => undefined);
      const m = session.manifest.snapshot();
      hooks.onStatus?.(st, { segments: m.segments.length, uploaded: m.segments.filter((s) => s.uploadedMs).length });
    });

    let stopReason: string;
    let leftMs = Date.now();
    try {
      if (hooks.signal?.aborted) await bot.stop(hooks.abortReason?.() ?? 'stopped');
      else await bot.start().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'bot failed to join'));
      stopReason = await bot.whenStopped();
      leftMs = Date.now();
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
      pushing = false;
      clearTimeout(pushTimer);
    }
    log.info({ part, stopReason }, 'bot left; closing tracks');
    await session.close(stopReason, { drain: true });
    await this.waitForUploads(session.manifest, log);
    const handover = HANDOVER_REASONS.has(stopReason);
    // The session ends when the bot left, not when the last upload got through (S3 may be down for minutes).
    if (!handover) await session.manifest.setStatus('processing', leftMs, stopReason);
    const manifest = await this.saveMerged(session.manifest.snapshot());
    if (/already_in_room|unreachable|refused/i.test(stopReason) && manifest.segments.length === 0) {
      throw new RecbotError('JOIN_FAILED', `bot could not join room ${remote.roomId}: ${stopReason}`);
    }
    return { recordingId, part, stopReason, manifest, handover };
  }

  /** Remove the local spool of a recording whose segments are all in storage. */
  async cleanupSpool(recordingId: string): Promise<void> {
    const dir = path.join(this.spoolDir(), recordingId);
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
  }

  /** Push the local manifest to storage (progress for the API); failures only logged. */
  private async push(store: ManifestStore, log: Logger): Promise<void> {
    await this.saveMerged(store.snapshot()).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'manifest push failed'));
  }

  /**
   * Write this part's manifest merged with the stored one, so entries another writer listed (a
   * part that took over after a lost job lock, a killed part's late write) are kept, not overwritten.
   */
  private async saveMerged(mine: RecordingManifest): Promise<RecordingManifest> {
    const stored = await this.manifests.load(mine.recordingId).catch(() => undefined);
    const merged = stored ? mergeManifest(mine, stored) : mine;
    await this.manifests.save(merged);
    return merged;
  }

  /** Wait until every closed segment with a local file is uploaded and verified. */
  private async waitForUploads(store: ManifestStore, log: Logger): Promise<void> {
    const started = Date.now();
    let lastLog = 0;
    for (;;) {
      const pending = pendingUploads(store.snapshot());
      if (pending === 0) return;
      if (Date.now() - started > UPLOAD_WAIT_MS) {
        throw new RecbotError('UPLOAD_STUCK', `${pending} segments still not uploaded after ${UPLOAD_WAIT_MS / 60_000} min`, { retryable: true });
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log.info({ pending }, 'waiting for segment uploads');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export type { CallOptions };
