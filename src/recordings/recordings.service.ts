import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RecbotError } from '../common/errors';
import { createLogger } from '../common/logger';
import { APP_CONFIG, STORAGE } from '../app/tokens';
import type { AppConfig } from '../config/config.schema';
import { JobRepository } from '../jobs/job.repository';
import { JobName } from '../jobs/job.types';
import { newManifest } from '../manifest/manifest-store';
import type { RecordingManifest } from '../manifest/manifest.types';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import { isSafeId, storageKeys } from '../storage/storage-keys';
import type { StorageDriver } from '../storage/storage.types';
import { webhookPayloadFromManifest } from '../webhooks/webhook.handlers';
import { CallControl } from './call-control';
import { RecordingIndex } from './recording-index';
import { outboundPolicyFrom, type OutboundPolicy } from '../security/outbound-policy';
import { redactDeep } from '../security/redact';
import { RecordingConflictError, RecordingGuards, requestFingerprint, roomIdentity } from './recording-guards';

/** Statuses in which a recording occupies its room. */
const ACTIVE: ReadonlySet<RecordingManifest['status']> = new Set(['pending', 'joining', 'recording']);
import type { CreateRecordingRequest } from './recording-request';
import { outputViews, type OutputView } from './recording-outputs';

/** What the API returns for a recording. */
export interface RecordingView {
  id: string;
  status: RecordingManifest['status'];
  roomId: string;
  /** Published outputs with sizes, checksums, durations and their download paths. */
  outputs: OutputView[];
  manifest: RecordingManifest;
}

/**
 * Recording lifecycle on the API side: create (manifest + JoinCall job), read, stop, delete.
 * The manifest in object storage is the shared record; recorders and workers update it.
 */
@Injectable()
export class RecordingsService {
  private readonly log = createLogger({ component: 'recordings' });
  private readonly manifests: StorageManifestRepository;
  private readonly outbound: OutboundPolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly jobs: JobRepository,
    private readonly control: CallControl,
    private readonly index: RecordingIndex,
    private readonly guards: RecordingGuards,
  ) {
    this.manifests = new StorageManifestRepository(storage);
    this.outbound = outboundPolicyFrom(config.OUTBOUND_ALLOW);
  }

  /**
   * Create a recording. With an Idempotency-Key, the same key and body give the same recording
   * (`replayed`), a different body 409. At most one active recording per room unless
   * `allowDuplicate` (409 naming the active one).
   */
  async create(req: CreateRecordingRequest, opts: { idempotencyKey?: string } = {}): Promise<{ view: RecordingView; replayed: boolean }> {
    // SSRF: literal addresses, metadata names, userinfo and schemes now (400); DNS again at connect time.
    this.outbound.checkUrl(req.signalingUrl, 'signalingUrl');
    if (req.appUrl) this.outbound.checkUrl(req.appUrl, 'appUrl');
    const id = randomUUID();
    const key = opts.idempotencyKey;
    if (key) {
      const fingerprint = requestFingerprint(req);
      const earlier = await this.guards.reserveKey(key, fingerprint, id, this.config.IDEMPOTENCY_TTL_S);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) throw new RecordingConflictError('Idempotency-Key was already used with a different request body', earlier.recordingId);
        const existing = await this.find(earlier.recordingId);
        if (!existing) throw new RecbotError('CONFLICT', 'a request with this Idempotency-Key is still in progress', { retryable: true });
        return { view: this.view(existing), replayed: true };
      }
    }
    try {
      return { view: await this.createNew(id, req), replayed: false };
    } catch (err) {
      if (key) await this.guards.releaseKey(key, id).catch(() => undefined);
      throw err;
    }
  }

  private async createNew(id: string, req: CreateRecordingRequest): Promise<RecordingView> {
    const roomIdPrefix = req.roomIdPrefix ?? this.config.ROOM_ID_PREFIX;
    const signalingPath = req.signalingPath ?? this.config.SIGNALING_PATH;
    const maxDurationS = req.maxDurationS ?? this.config.BOT_MAX_DURATION_MS / 1000;
    const room = roomIdentity(req.signalingUrl, signalingPath, req.roomId.startsWith(roomIdPrefix) ? req.roomId : `${roomIdPrefix}${req.roomId}`);
    const roomTtlS = Math.ceil(maxDurationS) + 3600;
    if (!req.allowDuplicate) {
      const holder = await this.guards.claimRoom(room, id, roomTtlS);
      if (holder && holder !== id) {
        const active = await this.find(holder);
        // No manifest yet: the holder is being created right now (or failed and will release the room).
        if (!active || ACTIVE.has(active.status)) {
          throw new RecordingConflictError(`recording ${holder} is already active in this room (set allowDuplicate to record it twice)`, holder);
        }
        await this.guards.takeRoom(room, id, roomTtlS);
      }
    }
    try {
      return await this.save(id, req, { roomIdPrefix, signalingPath, maxDurationS, room });
    } catch (err) {
      await this.guards.releaseRoom(room, id).catch(() => undefined);
      throw err;
    }
  }

  private async save(
    id: string,
    req: CreateRecordingRequest,
    o: { roomIdPrefix: string; signalingPath: string; maxDurationS: number; room: string },
  ): Promise<RecordingView> {
    const manifest = newManifest({
      recordingId: id,
      roomId: req.roomId,
      signalingUrl: req.signalingUrl,
      sessionStartMs: Date.now(),
      options: {
        roomIdPrefix: o.roomIdPrefix,
        signalingPath: o.signalingPath,
        displayName: req.displayName ?? this.config.BOT_DISPLAY_NAME,
        maxDurationMs: o.maxDurationS * 1000,
        emptyRoomTimeoutMs: (req.emptyRoomTimeoutS ?? this.config.BOT_EMPTY_ROOM_TIMEOUT_MS / 1000) * 1000,
        transcribe: req.transcribe ?? true,
        language: req.language ?? this.config.TRANSCRIBE_LANGUAGE,
        retentionDays: req.retentionDays ?? this.config.RETENTION_DAYS,
        metadata: req.metadata ?? {},
        ...(req.appUrl ? { appUrl: req.appUrl } : {}),
        room: o.room,
      },
    });
    await this.manifests.save(manifest);
    await this.index.add(id, manifest.sessionStartMs);
    await this.jobs.add({ name: JobName.JoinCall, data: { recordingId: id, part: 0 } });
    this.log.info({ recordingId: id }, 'recording created');
    return this.view(manifest);
  }

  async get(id: string): Promise<RecordingView> {
    return this.view(await this.load(id));
  }

  /** Ask the recorder running this call to leave; the post-call flow follows. */
  async stop(id: string): Promise<RecordingView> {
    const m = await this.load(id);
    await this.control.requestStop(id);
    return this.view(m);
  }

  /** Stop the call if running, then delete every object of the recording. */
  async delete(id: string): Promise<{ id: string; deletedObjects: number }> {
    const manifest = await this.load(id);
    await this.control.requestStop(id);
    // Tombstone first: no job of this recording writes anything after the objects are gone.
    await this.control.requestDelete(id);
    let deletedObjects: number;
    try {
      deletedObjects = await this.storage.deletePrefix(storageKeys.recordingPrefix(id));
    } catch (err) {
      if (!(err instanceof RecbotError) || err.code !== 'STORAGE_OBJECT_LOCKED') throw err;
      await this.control.clearDeleted(id);
      // Locked outputs stay: keep the recording visible (its manifest) and say why.
      manifest.statusHistory.push({ status: manifest.status, atMs: Date.now(), reason: 'delete refused: outputs under S3 Object Lock' });
      await this.manifests.save(manifest);
      throw new RecbotError('CONFLICT', `recording ${id} has outputs under S3 Object Lock until their retain-until date; unlocked objects were deleted`);
    }
    // The terminal event of a deleted recording; its data is fixed now (the manifest is gone).
    const deletedMs = Date.now();
    const { data } = webhookPayloadFromManifest(manifest, 'recording.deleted');
    await this.jobs
      .add({ name: JobName.Webhook, data: { recordingId: id, event: 'recording.deleted', snapshot: { data: { ...data, status: 'deleted', deletedObjects }, occurredMs: deletedMs } } })
      .catch((err: unknown) => this.log.error({ err, recordingId: id }, 'recording.deleted webhook not queued'));
    await this.index.remove(id).catch((err: unknown) => this.log.warn({ err, recordingId: id }, 'recording not removed from the list index'));
    const room = manifest.options?.room;
    if (typeof room === 'string') await this.guards.releaseRoom(room, id).catch(() => undefined);
    this.log.info({ recordingId: id, deletedObjects }, 'recording deleted');
    return { id, deletedObjects };
  }

  /** The manifest, or undefined when there is none (yet). */
  private async find(id: string): Promise<RecordingManifest | undefined> {
    if (!isSafeId(id) || !(await this.storage.head(storageKeys.manifest(id)))) return undefined;
    return this.manifests.load(id);
  }

  private async load(id: string): Promise<RecordingManifest> {
    const m = await this.findManifest(id);
    if (!m) throw new RecbotError('NOT_FOUND', isSafeId(id) ? `no recording ${id}` : 'no such recording');
    return m;
  }

  /** The stored manifest (unredacted, for the API's own use), or undefined for an unknown, unsafe or deleted id. */
  async findManifest(id: string): Promise<RecordingManifest | undefined> {
    if (!isSafeId(id) || !(await this.storage.head(storageKeys.manifest(id)))) return undefined;
    try {
      return await this.manifests.load(id);
    } catch (err) {
      if (err instanceof RecbotError && err.code === 'NOT_FOUND') return undefined; // deleted between head and get
      throw err;
    }
  }

  private view(m: RecordingManifest): RecordingView {
    // The one redaction rule: a signalingUrl/appUrl query token or anything secret-looking never leaves.
    return { id: m.recordingId, status: m.status, roomId: m.roomId, outputs: outputViews(m), manifest: redactDeep(m) };
  }
}
