import { Counter } from 'prom-client';
import { metricsRegistry } from '../common/metrics';

/** Chunk requests by outcome: ok, retried (429/5xx/connection, will retry), failed (gave up or rejected). */
export const transcriptionRequests = new Counter({
  name: 'recbot_transcription_requests_total',
  help: 'Transcription chunk requests by outcome (ok, retried, failed)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/** Seconds of audio sent for transcription (silences that were skipped are not counted). */
export const transcriptionAudioSeconds = new Counter({
  name: 'recbot_transcription_audio_seconds_total',
  help: 'Seconds of speaker audio sent to the transcription endpoint',
  registers: [metricsRegistry],
});
