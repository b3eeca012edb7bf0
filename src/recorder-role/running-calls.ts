import { RecbotError, errorMessage } from '../common/errors';
import { createLogger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import type { JobRepository } from '../jobs/job.repository';
import { JobName } from '../jobs/job.types';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import { MediaPipeline } from '../pipeline/media-pipeline';
import type { CallControl } from '../recordings/call-control';
import type { StorageDriver } from '../storage/storage.types';
import { anyEndpointWants } from '../webhooks/webhook-events';
import { readCallOptions } from './call-options';
import { runCallProcess, useCallProcesses } from './call-process';
import type { CallOutcome, RunHooks } from './call-runner';
import { notRecordedSeconds } from './recorder.metrics';
import type { RecorderRuntime } from './recorder-runtime';
import { awaitTakeover, type PartId } from './takeover';

type Progress = (pct: number | object) => Promise<void>;

interface RunningCall {
  abort: AbortController;
  reason: string;
  /** This run's part and bot id (known once its session opened). */
  part?: PartId;
  /** The JoinCall lock was lost: this run only waits for the part that takes over. */
  lockLost?: boolean;
  /** Participants in the call but not recorded now, and the not-recorded time so far (from the bot's status). */
  coverage?: { holes: number; notRecordedMs: number };
  /** The run ended (the bot left and its segments are uploaded), or failed. */
  done?: boolean;
  outcome?: Promise<CallOutcome>;
  /** Progress of the job delivery that owns the call (changes when a re-delivery adopts it). */
  progress: Progress;
  /** A re-delivery of the same JoinCall adopted this call; resolves when it finished it. */
  adopted?: { promise: Promise<void> };
}

export interface RunningCallsDeps {
  config: AppConfig;
  storage: StorageDriver;
  jobs: JobRepository;
  control: CallControl;
  runtime: RecorderRuntime;
  /** Whether new calls are refused (SIGTERM drain). */
  draining(): boolean;
}

/**
 * The calls this recorder runs, one per recording: join (inline or in a call process), adopt a
 * re-delivered JoinCall, hand over after a lost lock, then start the post-call flow or fail the
 * recording.
 */
export class RunningCalls {
  private readonly log = createLogger({ component: 'recorder' });
  private readonly calls = new Map<string, RunningCall>();
  readonly manifests: StorageManifestRepository;

  constructor(private readonly deps: RunningCallsDeps) {
    this.manifests = new StorageManifestRepository(deps.storage, (id) => this.event(id, 'recording.failed'));
  }

  get size(): number {
    return this.calls.size;
  }

  /** Participants not recorded right now, over every call. */
  notRecorded(): number {
    return [...this.calls.values()].reduce((n, x) => n + (x.coverage?.holes ?? 0), 0);
  }

  /** Stop (or delete) a running call; false when it does not run here. */
  stop(recordingId: string, reason: 'stopped' | 'deleted' | 'shutdown'): boolean {
    const call = this.calls.get(recordingId);
    if (!call) return false;
    call.reason = reason;
    call.abort.abort();
    return true;
  }

  stopAll(reason: 'shutdown'): void {
    for (const id of this.calls.keys()) this.stop(id, reason);
  }

  /** The JoinCall handler: run the call, or adopt it when it already runs here. */
  async join(recordingId: string, progress: Progress, lockLost?: AbortSignal): Promise<unknown> {
    const previous = this.calls.get(recordingId);
    if (previous?.outcome && !previous.done) return this.adopt(recordingId, previous, progress, lockLost);
    if (this.deps.draining()) throw new RecbotError('DRAINING', 'recorder is shutting down', { retryable: true });
    if (this.deps.runtime.diskGuard?.isFull()) throw new RecbotError('DISK_FULL', 'recorder spool disk is below DISK_MIN_FREE_MB', { retryable: true });
    const call: RunningCall = { abort: new AbortController(), reason: 'stopped', progress };
    this.calls.set(recordingId, call);
    lockLost?.addEventListener('abort', () => void this.leaveAfterTakeover(recordingId, call), { once: true });
    if (await this.deps.control.isStopRequested(recordingId)) call.abort.abort();
    call.outcome = this.run(recordingId, call);
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

  private async run(recordingId: string, call: RunningCall): Promise<CallOutcome> {
    try {
      const hooks = this.hooks(recordingId, call);
      if (useCallProcesses(this.deps.config.RECORDER_PROCESS_MODEL)) {
        // The call process becomes the single writer of this recording's manifest.
        await this.deps.runtime.settle(recordingId);
        return await runCallProcess(recordingId, this.deps.config, hooks);
      }
      return await this.deps.runtime.run(recordingId, hooks);
    } finally {
      call.done = true;
      if (this.calls.get(recordingId) === call) this.calls.delete(recordingId);
    }
  }

  private hooks(recordingId: string, call: RunningCall): RunHooks {
    let started = false;
    return {
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
          void this.event(recordingId, 'recording.started').catch(() => undefined);
        }
      },
      onSegmentStored: (key) => void this.segmentStored(recordingId, key),
      onPart: (part, botId) => {
        call.part = { part, botId };
      },
    };
  }

  /**
   * The same JoinCall again while its call still runs here: its lock was lost (Redis outage) and
   * BullMQ handed the job back to this recorder. No second bot: this delivery (holding the valid
   * lock) adopts the running call, stops it from leaving, and finishes it when it ends.
   */
  private async adopt(recordingId: string, call: RunningCall, progress: Progress, lockLost?: AbortSignal): Promise<unknown> {
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
      await this.deps.runtime.cleanup(recordingId);
      return { deleted: true };
    }
    if (outcome.handover) throw new RecbotError('HANDOVER', `call handed over (${outcome.stopReason})`, { retryable: true });
    const speakers = MediaPipeline.flowSpeakers(outcome.manifest);
    if (speakers.length === 0) {
      await this.manifests.fail(recordingId, `no media recorded (${outcome.stopReason})`);
      await this.deps.runtime.cleanup(recordingId);
      return { speakers: 0 };
    }
    const opts = readCallOptions(outcome.manifest, this.deps.config);
    await this.deps.jobs.createRecordingFlow(recordingId, speakers, { transcribe: opts.transcribe, mix: true });
    await this.deps.runtime.cleanup(recordingId);
    return { speakers: speakers.length, stopReason: outcome.stopReason, part: outcome.part };
  }

  /**
   * The JoinCall's lock was lost: record on until the part that takes the call over is in the
   * manifest (takeover.ts), then leave as a handover (no post-call flow from this run).
   */
  private async leaveAfterTakeover(recordingId: string, call: RunningCall): Promise<void> {
    if (call.abort.signal.aborted || call.lockLost) return;
    call.lockLost = true;
    const c = this.deps.config;
    const capMs = c.JOB_LOCK_DURATION_MS + c.JOB_STALLED_INTERVAL_MS + 60_000;
    const log = this.log.child({ recordingId, part: call.part?.part });
    log.warn({ capMs }, 'JoinCall lock lost: recording on until the part that takes the call over has joined');
    const why = await awaitTakeover({
      capMs,
      load: () => this.manifests.load(recordingId).catch(() => undefined),
      mine: () => call.part,
      stillLost: () => !call.abort.signal.aborted && !call.done && call.lockLost === true,
    });
    if (!why) return; // ended, or adopted by a re-delivery
    log.warn({ why }, 'leaving the call after the lost JoinCall lock');
    call.reason = 'lock-lost';
    call.abort.abort();
  }

  /**
   * A JoinCall failed for good (JOIN_FAILED, retries exhausted): the recording fails and
   * `recording.failed` is sent, unless it already ended or reached its post-call flow.
   * The spool is kept (it may hold segments not yet uploaded).
   */
  async onJoinCallFailed(recordingId: string, error: string): Promise<void> {
    if (await this.manifests.fail(recordingId, `JoinCall: ${error}`, { unlessIn: ['processing'] })) {
      this.log.warn({ recordingId, err: error }, 'recording failed: the bot could not record the call');
    }
  }

  /** A segment upload was verified (here or in a call process): queue the opt-in webhook if wanted. */
  async segmentStored(recordingId: string, key: string): Promise<void> {
    if (!anyEndpointWants(this.deps.config.WEBHOOK_ENDPOINTS, 'recording.segment_stored')) return;
    // A failure to enqueue must not fail (and so retry) the verified upload.
    await this.event(recordingId, 'recording.segment_stored', key).catch((err: unknown) =>
      this.log.warn({ recordingId, key, err: errorMessage(err) }, 'segment_stored webhook not queued'));
  }

  private async event(recordingId: string, event: 'recording.started' | 'recording.failed' | 'recording.segment_stored', key?: string): Promise<void> {
    await this.deps.jobs.add({ name: JobName.Webhook, data: { recordingId, event, ...(key !== undefined ? { key } : {}) } });
  }
}
