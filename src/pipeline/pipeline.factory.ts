import path from 'node:path';
import type { z } from 'zod';
import type { StorageDriver } from '../storage/storage.types';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import { MediaPipeline, type MediaPipelineOptions } from './media-pipeline';
import type { pipelineConfigShape } from './pipeline.config';
import { Publisher } from './publisher';

/** The pipeline's validated settings (pipelineConfigShape) plus the core ones it uses. */
export type PipelineConfig = z.output<z.ZodObject<typeof pipelineConfigShape>> & {
  WORK_DIR: string;
  FFMPEG_BIN: string;
  FFPROBE_BIN: string;
  /** Object Lock of outputs (storage feature's settings); absent = off. */
  OBJECT_LOCK_MODE?: 'none' | 'GOVERNANCE' | 'COMPLIANCE';
  OBJECT_LOCK_DAYS?: number;
};

/** Build the pipeline services from validated config (Nest modules wrap these as providers). */
export function createPipelineServices(
  config: PipelineConfig,
  storage: StorageDriver,
  manifests: StorageManifestRepository = new StorageManifestRepository(storage),
): { pipeline: MediaPipeline; publisher: Publisher; manifests: StorageManifestRepository } {
  const pipeline = new MediaPipeline({
    storage,
    manifests,
    ffmpegPath: config.FFMPEG_BIN,
    ffprobePath: config.FFPROBE_BIN,
    workDir: path.join(config.WORK_DIR, 'scratch'),
    mp4: config.PIPELINE_MP4,
    verifyDecode: config.PIPELINE_VERIFY_DECODE,
    ffmpegTimeoutMs: config.FFMPEG_TIMEOUT_MS,
    durationToleranceMs: config.PIPELINE_DURATION_TOLERANCE_MS,
    objectLock: { mode: config.OBJECT_LOCK_MODE ?? 'none', days: config.OBJECT_LOCK_DAYS ?? 0 },
    ...(config.MIX_VIDEO === 'grid' ? { mixVideo: mixVideoOptions(config) } : {}),
  });
  return { pipeline, publisher: new Publisher({ storage, manifests, mp4: config.PIPELINE_MP4 }), manifests };
}

/** MIX_VIDEO_* as the pipeline's grid options. */
export function mixVideoOptions(c: Pick<PipelineConfig, 'MIX_VIDEO_FPS' | 'MIX_VIDEO_TILE' | 'MIX_VIDEO_BITRATE_KBPS'>): NonNullable<MediaPipelineOptions['mixVideo']> {
  const [w = 640, h = 360] = c.MIX_VIDEO_TILE.split('x').map(Number);
  // VP8 and yuv420p want even sizes
  return { fps: c.MIX_VIDEO_FPS, tileWidth: w - (w % 2), tileHeight: h - (h % 2), bitrateKbps: c.MIX_VIDEO_BITRATE_KBPS };
}
