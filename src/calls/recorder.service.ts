import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, STORAGE } from '../app/tokens';
import { loadBotMedia } from '../bot/bot-media';
import { RecbotError, errorMessage } from '../common/errors';
import { createLogger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { HealthService } from '../health/health.service';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobRepository } from '../jobs/job.repository';
import { JobName, QueueName } from '../jobs/job.types';
import { ManifestStore } from '../manifest/manifest-store';
import { MediaPipeline } from '../pipeline/media-pipeline';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import type { SegmentUploader } from '../pipeline/segment-uploader';
import { SpoolManifests, createSegmentUploader } from './spool-manifests';
import { DiskGuard } from '../recorder/disk-guard';
import { recoverSpool } from '../recorder/recover-spool';
import { CallControl } from '../recordings/call-control';
import type { StorageDriver } from '../storage/storage.types';
import { anyEndpointWants } from '../webhooks/webhook-events';
import { CallRunner, type CallOutcome, type RunHooks } from './call-runner';
import { runCallProcess, useCallProcesses } from './call-process';
import { pendingUploads } from './call-options';
import { readCallOptions } from './call-options';
import { notRecordedSeconds, recorderMetrics } from './recorder.metrics';

interface RunningCall {
  abort: AbortController;
  reason: string;
  /** This run's part and bot id (known once its session opened). */
  part?: { part: number; botId: string };
  /** The JoinCall lock was lost: this run only waits for the part that takes over. */
  lockLost?: boolean;
  /** Participants in the call but not recorded now, and the not-recorded time so far (from the bot's status). */
  coverage?: { holes: number; notRecordedMs: number };
  /** The run ended (the bot left and its segments are uploaded), or failed. */
  done?: boolean;
  /** The run's outcome (set when it starts). */
  outcome?: Promise<CallOutcome>;
  /** Progress of the job delivery that owns the call (changes when a re-delivery adopts it). */
  progress: (pct: number | object) => Promise<void>;
  /** A re-delivery of the same JoinCall adopted this call; resolves when it finished it. */
  adopted?: { promise: Promise<void> };
}

/** How often a recorder that lost its job lock looks for the part that took the call over. */
const TAKEOVER_POLL_MS = 2000;
/** How long the old part stays after the new one is listed when no track of the new one shows up. */
const TAKEOVER_MEDIA_WAIT_MS = 15_000;

/**
 * The recorder role: takes JoinCall jobs from the `bots` queue within RECORDER_MAX_CALLS, runs each
 * call with a CallRunner, then starts the post-call flow. On start it recovers the spool (journals
 * of a killed process) and uploads what was left. On shutdown it stops taking calls and drains:
 * running calls continue until they end or SHUTDOWN_GRACE_MS passes, then hand over to another recorder.
 */
@Injectable()
export class RecorderService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = createLogger({ component: 'recorder' });
  private readonly calls = new Map<string, RunningCall>();
  private manifests?: SpoolManifests;
  private uploader?: SegmentUploader;
  private diskGuard?: DiskGuard;
  private runner?: CallRunner;
  private unsubscribe?: () => void;
  private draining = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly jobs: JobRepository,
    private readonly registry: JobHandlerRegistry,
    private readonly control: CallControl,
    private readonly health: HealthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    const spool = path.resolve(c.WORK_DIR, 'spool');
    await mkdir(spool, { recursive: true });
    this.diskGuard = new DiskGuard(spool, c.DISK_MIN_FREE_MB, c.DISK_CHECK_INTERVAL_MS);
    await this.diskGuard.start();
    this.manifests = new SpoolManifests(spool);
    this.uploader = createSegmentUploader(c, this.storage, this.manifests, (id, key) => this.segmentStored(id, key));
    const botMedia = await loadBotMedia(path.resolve(c.WORK_DIR, 'media-cache'));
    this.runner = new CallRunner({
      config: c,
      storage: this.storage,
      uploader: this.uploader,
      botMedia,
      diskGuard: this.diskGuard,
      manifestStore: (id) => this.manifestStore(id),
    });
    recorderMetrics({ calls: () => this.calls.size, notRecorded: () => [...this.calls.values()].reduce((n, x) => n + (x.coverage?.holes ?? 0), 0), uploader: this.uploader, diskGuard: this.diskGuard, maxCalls: c.RECORDER_MAX_CALLS });
    this.health.register('disk', () => ({
      ok: !this.diskGuard?.isFull(),
      detail: `spool free ${Math.round(this.diskGuard?.freeMb ?? 0)} MB (floor ${c.DISK_MIN_FREE_MB} MB)`,
    }));
    this.health.register('draining', () => ({ ok: !this.draining, detail: this.draining ? 'draining calls' : undefined }));
    // At capacity a recorder is still healthy and ready: it just takes no new call from the queue.
    this.health.register(
      'capacity',
      () => ({ ok: this.calls.size < c.RECORDER_MAX_CALLS, detail: `${this.calls.size}/${c.RECORDER_MAX_CALLS} calls; acceptingCalls=${this.calls.size < c.RECORDER_MAX_CALLS}` }),
      'info',
    );
    await this.recover(spool);

    this.unsubscribe = await this.control.subscribe((msg) => {
      const call = this.calls.get(msg.recordingId);
      if (!call) return;
      call.reason = msg.type === 'delete' ? 'deleted' : 'stopped';
      call.abort.abort();
    });
    this.registry.register(JobName.JoinCall, (d, ctx) => this.joinCall(d.recordingId, ctx.progress, ctx.lockLost));
    this.jobs.startWorkers(this.registry, {
      queues: [QueueName.Bots],
      concurrency: { [QueueName.Bots]: c.RECORDER_MAX_CALLS },
      onFinalFailure: (job) => this.onJoinCallFailed(job),
    });
    this.log.info({ maxCalls: c.RECORDER_MAX_CALLS, spool }, 'recorder ready');
  }

  /** SIGTERM: stop taking calls; after SHUTDOWN_GRACE_MS hand running calls over; wait for them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const grace = setTimeout(() => {
      for (const call of this.calls.values()) {
        call.reason = 'shutdown';
        call.abort.abort();
      }
    }, this.config.SHUTDOWN_GRACE_MS);
    if (this.calls.size > 0) this.log.info({ calls: this.calls.size, graceMs: this.config.SHUTDOWN_GRACE_MS }, 'draining calls');
    await this.jobs.close();
    clearTimeout(grace);
    this.unsubscribe?.();
    await this.uploader?.close();
    this.diskGuard?.close();
  }

  private async joinCall(recordingId: string, progress: (pct: number | object) => Promise<void>, lockLost?: AbortSignal): Promise<unknown> {
    if (!this.runner) throw new RecbotError('NOT_READY', 'recorder not ready', { retryable: true });
    const previous = this.calls.get(recordingId);
    if (previous?.outcome && !previous.done) return this.adopt(recordingId, previous, progress, lockLost);
    if (this.draining) throw new RecbotError('DRAINING', 'recorder is shutting down', { retryable: true });
    if (this.diskGuard?.isFull()) throw new RecbotError('DISK_FULL', 'recorder spool disk is below DISK_MIN_FREE_MB', { retryable: true });
    const call: RunningCall = { abort: new AbortController(), reason: 'stopped', progress };
    this.calls.set(recordingId, call);
    lockLost?.addEventListener('abort', () => void this.leaveAfterTakeover(recordingId, call), { once: true });
    if (await this.control.isStopRequested(recordingId)) call.abort.abort();
    let started = false;
    const hooks: RunHooks = {
      signal: call.abort.signal,
      abortReason: () => call.reason,
      onStatus: (st, s) => {
        if (st.coverage) {
          const before = call.coverage?.notRecordedMs ?? 0;
          if (st.coverage.notRecordedMs > before) notRecordedSeconds.inc((st.coverage.notRecordedMs - before) / 1000);
          call.coverage = { holes: st.coverage.holes.length, notRecordedMs: Math.max(before, st.coverage.notRecordedMs) };
        }
        void call.progress({ state: st.state, participants: st.participants.length, peers: st.peers.length, segments: s.segments, uploaded: s.uploaded }).catch(() => undefined);
        if (!started && st.state === 'in-room') {
          started = true;
          void this.jobs.add({ name: JobName.Webhook, data: { recordingId, event: 'recording.started' } }).catch(() => undefined);
        }
      },
      onSegmentStored: (key) => void this.segmentStored(recordingId, key),
      onPart: (part, botId) => {
        call.part = { part, botId };
      },
    };
    const runner = this.runner;
    call.outcome = (async () => {
      try {
        if (useCallProcesses(this.config.RECORDER_PROCESS_MODEL)) {
          // The call process becomes the single writer of this recording's manifest.
          await this.settleRecovered(recordingId);
          return await runCallProcess(recordingId, this.config, hooks);
        }
        return await runner.run(recordingId, hooks);
      } finally {
        call.done = true;
        if (this.calls.get(recordingId) === call) this.calls.delete(recordingId);
      }
    })();
    const outcome = await call.outcome.catch(async (err: unknown) => {
      if (!call.adopted) throw err;
      await call.adopted.promise; // the adopting job reports the error
      return undefined;
    });
    if (call.adopted) {
      // This job lost its lock and came back to this recorder: the new delivery finishes the call.
      // Return only after it did, so BullMQ stops tracking the job id after the adopter's run.
      await call.adopted.promise;
      return { adopted: true };
    }
    return this.afterCall(recordingId, call, outcome as CallOutcome);
  }

  /**
   * The same JoinCall again while its call still runs here: its lock was lost (Redis outage) and
   * BullMQ handed the job back to this recorder. No second bot: this delivery (holding the valid
   * lock) adopts the running call, stops it from leaving, and finishes it when it ends.
   */
  private async adopt(recordingId: string, call: RunningCall, progress: (pct: number | object) => Promise<void>, lockLost?: AbortSignal): Promise<unknown> {
    this.log.warn({ recordingId, part: call.part?.part }, 'JoinCall delivered again while its call runs here (lock was lost): adopting the running call');
    let release!: () => void;
    call.adopted = { promise: new Promise<void>((r) => (release = r)) };
    call.lockLost = false;
    call.progress = progress;
    lockLost?.addEventListener('abort', () => void this.leaveAfterTakeover(recordingId, call), { once: true });
    try {
      const outcome = await (call.outcome as Promise<CallOutcome>);
      return await this.afterCall(recordingId, call, outcome);
    } finally {
      release();
    }
  }

  /** After the bot left: clean up a deleted recording, hand over, or start the post-call flow. */
  private async afterCall(recordingId: string, call: RunningCall, outcome: CallOutcome): Promise<unknown> {
    if (call.reason === 'deleted') {
      await this.releaseStore(recordingId);
      await this.runner?.cleanupSpool(recordingId);
      return { deleted: true };
    }
    if (outcome.handover) throw new RecbotError('HANDOVER', `call handed over (${outcome.stopReason})`, { retryable: true });
    return this.finish(outcome);
  }

  /**
   * The JoinCall's lock was lost (Redis lost it, e.g. after an outage longer than the lock): BullMQ
   * runs the job again, here or on another recorder, as the next part. Leaving at once would leave
   * the call unrecorded until then, so this bot records on until that part is in the manifest (or
   * a cap passes), then leaves as a handover: no post-call flow from this run, no second bot for long.
   */
  private async leaveAfterTakeover(recordingId: string, call: RunningCall): Promise<void> {
    if (call.abort.signal.aborted || call.lockLost) return;
    call.lockLost = true;
    const c = this.config;
    const capMs = c.JOB_LOCK_DURATION_MS + c.JOB_STALLED_INTERVAL_MS + 60_000;
    const log = this.log.child({ recordingId, part: call.part?.part });
    log.warn({ capMs }, 'JoinCall lock lost: recording on until the part that takes the call over has joined');
    const store = new StorageManifestRepository(this.storage);
    const deadline = Date.now() + capMs;
    let why = 'cap reached';
    let newerSinceMs: number | undefined;
    while (!call.abort.signal.aborted && !call.done && call.lockLost && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, TAKEOVER_POLL_MS));
      const m = await store.load(recordingId).catch(() => undefined);
      const mine = call.part;
      const newer = m && mine ? m.parts.filter((p) => p.part > mine.part || (p.part === mine.part && p.botId !== mine.botId)) : [];
      if (m && newer.length > 0) {
        // The new part is listed when its session opens, before its bot is in the call: leave once
        // it records a track (or a while after it appeared, for a call without media).
        newerSinceMs ??= Date.now();
        if (m.tracks.some((t) => t.part > (mine?.part ?? 0) && newer.some((p) => p.part === t.part))) {
          why = 'taken over';
          break;
        }
        if (Date.now() - newerSinceMs > TAKEOVER_MEDIA_WAIT_MS) {
          why = 'taken over (no media from the new part yet)';
          break;
        }
      }
    }
    if (call.abort.signal.aborted || call.done || !call.lockLost) return; // ended, or adopted by a re-delivery
    log.warn({ why }, 'leaving the call after the lost JoinCall lock');
    call.reason = 'lock-lost';
    call.abort.abort();
  }

  /** Start the post-call flow (or fail the recording when nothing was recorded). */
  private async finish(outcome: CallOutcome): Promise<unknown> {
    const { recordingId, manifest } = outcome;
    const speakers = MediaPipeline.flowSpeakers(manifest);
    if (speakers.length === 0) {
      await this.failRecording(recordingId, `no media recorded (${outcome.stopReason})`);
      return { speakers: 0 };
    }
    const opts = readCallOptions(manifest, this.config);
    await this.jobs.createRecordingFlow(recordingId, speakers, { transcribe: opts.transcribe, mix: true });
    await this.releaseStore(recordingId);
    await this.runner?.cleanupSpool(recordingId);
    return { speakers: speakers.length, stopReason: outcome.stopReason, part: outcome.part };
  }

  private async failRecording(recordingId: string, reason: string): Promise<void> {
    await this.manifestRepo().fail(recordingId, reason);
    await this.releaseStore(recordingId);
    await this.runner?.cleanupSpool(recordingId);
  }

  /**
   * A JoinCall failed for good (JOIN_FAILED, retries exhausted): the recording fails and
   * `recording.failed` is sent, unless it already ended or reached its post-call flow.
   * The spool is kept (it may hold segments not yet uploaded).
   */
  private async onJoinCallFailed(job: { name: JobName; data: unknown; error: string }): Promise<void> {
    const recordingId = (job.data as { recordingId?: unknown } | null)?.recordingId;
    if (job.name !== JobName.JoinCall || typeof recordingId !== 'string') return;
    if (await this.manifestRepo().fail(recordingId, `JoinCall: ${job.error}`, { unlessIn: ['processing'] })) {
      this.log.warn({ recordingId, err: job.error }, 'recording failed: the bot could not record the call');
    }
  }

  private manifestRepo(): StorageManifestRepository {
    return new StorageManifestRepository(this.storage, (id) => this.jobs.add({ name: JobName.Webhook, data: { recordingId: id, event: 'recording.failed' } }).then(() => undefined));
  }

  /** The single writer of a recording's local manifest, shared by its call and the uploader. */
  private manifestStore(id: string): Promise<ManifestStore> {
    if (!this.manifests) throw new RecbotError('NOT_READY', 'recorder not ready', { retryable: true });
    return this.manifests.store(id);
  }

  /** Wait until this process's uploads of a recovered recording are done, then let go of its manifest. */
  private async settleRecovered(id: string): Promise<void> {
    if (!this.manifests?.has(id)) return;
    const store = await this.manifests.store(id).catch(() => undefined);
    const deadline = Date.now() + 120_000;
    while (store && pendingUploads(store.snapshot()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await this.releaseStore(id);
  }

  /** Forget a finished recording's store (after its spool is gone). */
  private async releaseStore(id: string): Promise<void> {
    await this.manifests?.release(id);
  }

  /** A segment upload was verified (here or in a call process): queue the opt-in webhook if wanted. */
  private async segmentStored(id: string, key: string): Promise<void> {
    if (!anyEndpointWants(this.config.WEBHOOK_ENDPOINTS, 'recording.segment_stored')) return;
    // A failure to enqueue must not fail (and so retry) the verified upload.
    await this.jobs
      .add({ name: JobName.Webhook, data: { recordingId: id, event: 'recording.segment_stored', key } })
      .catch((err: unknown) => this.log.warn({ recordingId: id, key, err: errorMessage(err) }, 'segment_stored webhook not queued'));
  }

  /** Rebuild unfinished segments of a killed process and queue everything not yet uploaded. */
  private async recover(spool: string): Promise<void> {
    try {
      const found = await recoverSpool(spool);
      for (const r of found) {
        for (const seg of r.pendingSegments) this.uploader?.handoff(r.recordingId)(seg);
        this.log.info({ recordingId: r.recordingId, recovered: r.recoveredSegments.length, pending: r.pendingSegments.length }, 'recovered recording from spool');
      }
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'spool recovery failed');
    }
  }
}
