import { envInt, envOptionalString, envString, envUrl } from '../config/env-types';

/** Transcription settings (owned by the transcription feature). */
export const transcriptionConfigShape = {
  /** With no key, the embedded offline endpoint (pocketsphinx) is started and used. */
  OPENAI_API_KEY: envOptionalString(),
  OPENAI_BASE_URL: envUrl(),
  TRANSCRIBE_MODEL: envString('whisper-1'),
  TRANSCRIBE_LANGUAGE: envOptionalString(),
  TRANSCRIBE_CONCURRENCY: envInt(2, { min: 1, max: 32 }),
  TRANSCRIBE_CHUNK_MAX_BYTES: envInt(24 * 1024 * 1024, { min: 64 * 1024, max: 25 * 1024 * 1024 }),
  OFFLINE_ASR_PORT: envInt(0, { min: 0, max: 65535 }),
};
