import { envBool, envInt } from '../config/env-types';

/** Post-call pipeline settings (owned by the pipeline feature). */
export const pipelineConfigShape = {
  /** Also write speakers/{pid}.mp4 (H.264/AAC, faststart; x264 costs ~0.1x realtime per core). */
  PIPELINE_MP4: envBool(false),
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
  PIPELINE_VERIFY_DECODE: 'Fully decode every output (ffmpeg `-v error`) before publishing it',
  PIPELINE_DURATION_TOLERANCE_MS: 'Allowed difference between an output\'s duration and the session length',
  FFMPEG_TIMEOUT_MS: 'Kill an ffmpeg run (mux, mix, mp4) after this long',
  MEDIA_CONCURRENCY: 'Parallel jobs per worker on the `media` queue (mux, mix)',
  UPLOAD_RETRY_MAX_MS: 'Cap of the exponential backoff between segment upload attempts (they retry until they succeed)',
  UPLOAD_AGE_ALERT_MS: 'Log an error when a closed segment is still not uploaded after this long',
};
