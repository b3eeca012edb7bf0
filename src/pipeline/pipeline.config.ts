import { z } from 'zod';
import { envBool, envInt } from '../config/env-types';

/** Post-call pipeline settings (owned by the pipeline feature). */
export const pipelineConfigShape = {
  /** Also write speakers/{pid}.mp4 (H.264/AAC, faststart; x264 costs ~0.1x realtime per core). */
  PIPELINE_MP4: envBool(false),
  /** mix.webm video: none (audio only) or a grid of every speaker's camera. */
  MIX_VIDEO: z.enum(['none', 'grid']).optional().transform((v) => v ?? 'none'),
  MIX_VIDEO_FPS: envInt(15, { min: 1, max: 60 }),
  /** One speaker's tile in the grid, e.g. 640x360. */
  MIX_VIDEO_TILE: z.string().regex(/^\d{2,4}x\d{2,4}$/, 'WIDTHxHEIGHT, e.g. 640x360').optional().transform((v) => v ?? '640x360'),
  MIX_VIDEO_BITRATE_KBPS: envInt(1500, { min: 100, max: 20_000 }),
  /** Decode every output fully before publishing. */
  PIPELINE_VERIFY_DECODE: envBool(true),
  /** Allowed |output duration - session length|. */
  PIPELINE_DURATION_TOLERANCE_MS: envInt(150, { min: 10 }),
  FFMPEG_TIMEOUT_MS: envInt(3_600_000, { min: 10_000 }),
  /** Parallel jobs on the media queue per worker. */
  MEDIA_CONCURRENCY: envInt(1, { min: 1, max: 16 }),
  /** Segment upload retry backoff cap. */
  UPLOAD_RETRY_MAX_MS: envInt(60_000, { min: 100 }),
  /** Alert when a closed segment is still not uploaded after this long. */
  UPLOAD_AGE_ALERT_MS: envInt(600_000, { min: 1000 }),
};

/** One line per variable, for config.docs.ts / README (merge together with the shape). */
export const PIPELINE_CONFIG_DOCS: Record<keyof typeof pipelineConfigShape, string> = {
  PIPELINE_MP4: 'Also write `speakers/{pid}.mp4` (H.264/AAC, faststart) beside each speaker file',
  MIX_VIDEO: '`none`: `mix.webm` is audio only; `grid`: it also has every speaker\'s camera in a grid on the session clock (black before a join and after a leave, last frame held through gaps; VP8; 4 tiles of 640x360 at 15 fps took ~0.27 s of CPU per second of call here)',
  MIX_VIDEO_FPS: 'Frame rate of the grid video',
  MIX_VIDEO_TILE: 'Size of one speaker\'s tile, `WIDTHxHEIGHT` (the grid is near-square: 2 speakers side by side, 3-4 in 2x2, ...)',
  MIX_VIDEO_BITRATE_KBPS: 'VP8 bitrate of the grid video',
  PIPELINE_VERIFY_DECODE: 'Fully decode every output (ffmpeg `-v error`) before publishing it',
  PIPELINE_DURATION_TOLERANCE_MS: 'Allowed difference between an output\'s duration and the session length',
  FFMPEG_TIMEOUT_MS: 'Kill an ffmpeg run (mux, mix, mp4) after this long',
  MEDIA_CONCURRENCY: 'Parallel jobs per worker on the `media` queue (mux, mix)',
  UPLOAD_RETRY_MAX_MS: 'Cap of the exponential backoff between segment upload attempts (they retry until they succeed)',
  UPLOAD_AGE_ALERT_MS: 'Log an error when a closed segment is still not uploaded after this long',
};
