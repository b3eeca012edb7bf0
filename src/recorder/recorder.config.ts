import { z } from 'zod';
import { envInt } from '../config/env-types';

/** Recorder settings (owned by the recorder feature). */
export const recorderConfigShape = {
  SEGMENT_SECONDS: envInt(10, { min: 2, max: 600 }),
  RECORDER_MAX_CALLS: envInt(4, { min: 1, max: 256 }),
  JITTER_BUFFER_MS: envInt(300, { min: 20, max: 5000 }),
  JOURNAL_FSYNC_MS: envInt(500, { min: 50, max: 5000 }),
  DISK_MIN_FREE_MB: envInt(512, { min: 0 }),
  UPLOAD_QUEUE_MAX: envInt(256, { min: 1 }),
  /** No RTP on a track for this long = an 'outage' gap (the segment is closed; a new one starts on resume). */
  TRACK_STALL_MS: envInt(3000, { min: 200, max: 600_000 }),
  /** How often DiskGuard checks free space of the spool (fs.statfs). */
  DISK_CHECK_INTERVAL_MS: envInt(5000, { min: 100 }),
  /** `child`: one process per call; `inline`: calls in the recorder process; `auto`: child when running the compiled build. */
  RECORDER_PROCESS_MODEL: z.enum(['auto', 'child', 'inline']).optional().transform((v) => v ?? 'auto'),
};
