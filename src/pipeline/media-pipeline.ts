import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RecbotError } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import type { ManifestGap, ManifestOutput, ManifestSegment, RecordingManifest } from '../manifest/manifest.types';
import { outputRetainUntil } from '../storage/lifecycle-rules';
import type { StorageDriver } from '../storage/storage.types';
import type { FlowSpeaker } from '../jobs/recording-flow';
import { buildMixSpec, buildMp4Spec, buildMuxSpec, concatScript, type MixInput } from './ffmpeg-args';
import { runFfmpeg } from './ffmpeg.runner';
import type { ManifestRepository } from '../manifest/manifest-repository';
import { verifyOutput } from './media-check';
import { checkSegment } from './segment-repair';
import { putVerifiedOutput } from './output-publisher';
import { storageKeys } from '../storage/storage-keys';
import { planSpeaker, relinkSlots, sessionLengthMs, speakerContainer, speakersOf, type PlacedSegment, type TrackPlan } from './timeline';

export interface MediaPipelineOptions {
  storage: StorageDriver;
  manifests: ManifestRepository;
  ffmpegPath: string;
  ffprobePath: string;
  /** Scratch space for downloads and outputs (removed after each job). */
  workDir: string;
  /** Also produce speakers/{pid}.mp4 (H.264/AAC, faststart). */
  mp4?: boolean;
  /** Decode every output fully before publishing (default true). */
  verifyDecode?: boolean;
  ffmpegTimeoutMs?: number;
  /** Allowed |output duration - session length| (default 150 ms). */
  durationToleranceMs?: number;
  /** S3 Object Lock for outputs (OBJECT_LOCK_MODE / OBJECT_LOCK_DAYS); off by default. */
  objectLock?: { mode: 'none' | 'GOVERNANCE' | 'COMPLIANCE'; days: number };
  /** MIX_VIDEO=grid: mix.webm also gets every speaker's camera in a grid (VP8). */
  mixVideo?: { fps: number; tileWidth: number; tileHeight: number; bitrateKbps: number };
}

/** What MuxSpeaker produced: its outputs and the gaps it found (segments left out as `corrupt`). */
export interface MuxResult {
  outputs: ManifestOutput[];
  gaps: ManifestGap[];
}

/**
 * Mux (per speaker) and mix on the session clock, verify with ffprobe/ffmpeg, and store outputs at
 * their final keys with check-then-write. Stateless between jobs; safe to retry.
 */
export class MediaPipeline {
  private readonly log: Logger = createLogger({ component: 'pipeline' });

  constructor(private readonly opts: MediaPipelineOptions) {}

  /** The speakers of a recording with their output keys (input of createRecordingFlow). */
  static flowSpeakers(m: RecordingManifest): FlowSpeaker[] {
    return speakersOf(m).map((pid) => ({ participantId: pid, mediaKey: storageKeys.speaker(m.recordingId, pid, speakerContainer(m, pid)) }));
  }

  /** Arguments of JobRepository.createRecordingFlow for a recording (transcribe unless options.transcribe === false). */
  static flowPlan(m: RecordingManifest): { speakers: FlowSpeaker[]; options: { transcribe: boolean; mix: boolean } } {
    return { speakers: MediaPipeline.flowSpeakers(m), options: { transcribe: m.options?.transcribe !== false, mix: true } };
  }

  /**
   * Mux one speaker: speakers/{pid}.webm (.mkv for H264), plus .mp4 when configured. Segments left
   * out are returned as gaps (the job's result; Publish merges them into the manifest).
   */
  async muxSpeaker(recordingId: string, participantId: string): Promise<MuxResult> {
    const m = await this.opts.manifests.load(recordingId);
    const plan = planSpeaker(m, participantId);
    if (!plan.audio && plan.videos.length === 0) {
      throw new RecbotError('NO_SEGMENTS', `participant ${participantId} of ${recordingId} has no segments`);
    }
    const log = this.log.child({ recordingId, participantId });
    return this.withScratch(`${recordingId}-${participantId}`, async (dir) => {
      const scripts: Record<string, string> = {};
      const gaps: ManifestGap[] = [];
      for (const t of [plan.audio, ...plan.videos]) if (t) scripts[t.track.trackKey] = await this.prepareTrack(t, dir, recordingId, m.sessionStartMs, gaps);
      const output = path.join(dir, `speaker.${plan.container}`);
      await runFfmpeg(buildMuxSpec(plan, { scripts, output }), this.runOpts(log));
      const info = await verifyOutput(this.bins(), output, {
        durationMs: plan.sessionMs,
        toleranceMs: this.tolerance(),
        audio: plan.audio !== undefined,
        videoStreams: plan.videos.length,
        cues: true,
        decode: this.opts.verifyDecode ?? true,
      });
      const key = storageKeys.speaker(recordingId, participantId, plan.container);
      const outputs = [await this.store('speaker', key, output, info.durationMs, plan.container, participantId)];
      if (this.opts.mp4) {
        const mp4 = path.join(dir, 'speaker.mp4');
        await runFfmpeg(buildMp4Spec(output, mp4, { hasVideo: plan.videos.length > 0 }), this.runOpts(log));
        const mp4Info = await verifyOutput(this.bins(), mp4, {
          durationMs: plan.sessionMs, toleranceMs: Math.max(this.tolerance(), 250), audio: plan.audio !== undefined,
          videoStreams: Math.min(1, plan.videos.length), cues: false, decode: false,
        });
        outputs.push(await this.store('speaker-mp4', storageKeys.speaker(recordingId, participantId, 'mp4'), mp4, mp4Info.durationMs, 'mp4', participantId));
      }
      log.info({ outputs: outputs.map((o) => o.key), durationMs: info.durationMs, corruptGaps: gaps.length }, 'speaker muxed');
      return { outputs, gaps };
    });
  }

  /**
   * Mix every speaker's audio on the session clock into mix.webm (with MIX_VIDEO=grid also their
   * cameras in a grid); undefined when nobody sent audio.
   */
  async mixAudio(recordingId: string): Promise<ManifestOutput | undefined> {
    const m = await this.opts.manifests.load(recordingId);
    const plans = speakersOf(m).map((pid) => planSpeaker(m, pid));
    const audios = plans.map((p) => p.audio).filter((a): a is TrackPlan => a !== undefined);
    // the first video track of each speaker: the camera ('video'); screen shares stay in the speaker files
    const cameras = this.opts.mixVideo ? plans.map((p) => p.videos.find((v) => v.track.trackKey === 'video') ?? p.videos[0]).filter((v): v is TrackPlan => v !== undefined) : [];
    if (audios.length === 0) return undefined;
    const sessionMs = sessionLengthMs(m);
    const log = this.log.child({ recordingId });
    return this.withScratch(`${recordingId}-mix`, async (dir) => {
      const inputs: MixInput[] = [];
      for (const a of audios) {
        const sub = path.join(dir, a.track.participantId.replace(/[^\w.-]/g, '_'));
        await mkdir(sub, { recursive: true });
        inputs.push({ script: await this.prepareTrack(a, sub, recordingId, m.sessionStartMs, []), startMs: a.placed[0]?.startMs ?? 0 });
      }
      const videos: MixInput[] = [];
      for (const v of cameras) {
        const sub = path.join(dir, `${v.track.participantId.replace(/[^\w.-]/g, '_')}-${v.track.trackKey}`);
        await mkdir(sub, { recursive: true });
        videos.push({ script: await this.prepareTrack(v, sub, recordingId, m.sessionStartMs, []), startMs: v.placed[0]?.startMs ?? 0 });
      }
      const grid = this.opts.mixVideo && videos.length > 0 ? { ...this.opts.mixVideo, videos } : undefined;
      const output = path.join(dir, 'mix.webm');
      await runFfmpeg(buildMixSpec(inputs, sessionMs, output, 64, grid), this.runOpts(log));
      const info = await verifyOutput(this.bins(), output, {
        durationMs: sessionMs, toleranceMs: this.tolerance(), audio: true, videoStreams: grid ? 1 : 0, cues: true, decode: this.opts.verifyDecode ?? true,
      });
      const out = await this.store('mix', storageKeys.mix(recordingId), output, info.durationMs, 'webm');
      log.info({ key: out.key, speakers: audios.length, gridTiles: videos.length }, grid ? 'audio mixed, camera grid made' : 'audio mixed');
      return out;
    });
  }

  /**
   * Fetch a track's segments (local spool file if present, else storage) and write its concat
   * script; a segment left out is added to `gaps` (MixAudio passes a throwaway list: the speakers'
   * MuxSpeaker jobs find the same segments).
   */
  private async prepareTrack(t: TrackPlan, dir: string, recordingId: string, sessionStartMs: number, gaps: ManifestGap[]): Promise<string> {
    const local = new Map<ManifestSegment, string>();
    const usable: PlacedSegment[] = [];
    for (const p of t.placed) {
      const file = await this.fetchSegment(p.segment, dir);
      const health = await checkSegment(this.bins(), file, `${file}.repaired.${p.segment.container}`);
      const seg = p.segment;
      if (health.state === 'unusable') {
        this.log.warn({ recordingId, participantId: seg.participantId, trackKey: seg.trackKey, seq: seg.seq, problem: health.problem }, 'corrupt segment left out (a gap)');
        gaps.push(corruptGap(sessionStartMs, p));
        continue;
      }
      if (health.state === 'repaired') this.log.warn({ recordingId, seq: seg.seq, trackKey: seg.trackKey, problem: health.problem }, 'corrupt segment repaired');
      local.set(seg, health.file);
      usable.push(p);
    }
    if (usable.length === 0) throw new RecbotError('NO_USABLE_SEGMENTS', `no usable segment in track ${t.track.trackKey}`);
    const script = path.join(dir, `${t.track.trackKey.replace(/[^\w.-]/g, '_')}.ffconcat`);
    await writeFile(script, concatScript(relinkSlots(usable, t.placed), (p) => local.get(p.segment) ?? ''));
    return script;
  }

  private async fetchSegment(seg: ManifestSegment, dir: string): Promise<string> {
    if (seg.localPath && existsSync(seg.localPath)) return seg.localPath;
    if (!seg.key) {
      throw new RecbotError('SEGMENT_NOT_UPLOADED', `segment ${seg.participantId}/${seg.trackKey}/${seg.seq} is neither local nor uploaded`, {
        retryable: true,
      });
    }
    const file = path.join(dir, `${seg.trackKey.replace(/[^\w.-]/g, '_')}-${seg.part}-${seg.seq}.${seg.container}`);
    await this.opts.storage.downloadFile(seg.key, file);
    return file;
  }

  private async store(kind: ManifestOutput['kind'], key: string, file: string, durationMs: number, format: string, participantId?: string): Promise<ManifestOutput> {
    const contentType = format === 'mp4' ? 'video/mp4' : format === 'mkv' ? 'video/x-matroska' : 'video/webm';
    const retainUntil = this.opts.objectLock ? outputRetainUntil(this.opts.objectLock) : undefined;
    const obj = await putVerifiedOutput(this.opts.storage, key, file, { durationMs, contentType, toleranceMs: this.tolerance(), retainUntil });
    return { kind, ...(participantId ? { participantId } : {}), key, size: obj.size, md5: obj.md5, durationMs: obj.durationMs ?? durationMs, format, createdMs: Date.now() };
  }

  private async withScratch<T>(name: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = path.join(this.opts.workDir, 'pipeline', `${name.replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private runOpts(log: Logger) {
    return { ffmpegPath: this.opts.ffmpegPath, timeoutMs: this.opts.ffmpegTimeoutMs ?? 3_600_000, log };
  }

  private bins() {
    return { ffmpeg: this.opts.ffmpegPath, ffprobe: this.opts.ffprobePath };
  }

  private tolerance(): number {
    return this.opts.durationToleranceMs ?? 150;
  }
}

/** A left-out segment as a `corrupt` gap on the session clock. */
function corruptGap(sessionStartMs: number, p: PlacedSegment): ManifestGap {
  const startMs = sessionStartMs + p.startMs;
  return { participantId: p.segment.participantId, trackKey: p.segment.trackKey, startMs, endMs: startMs + p.segment.timeline.durationMs, reason: 'corrupt' };
}
