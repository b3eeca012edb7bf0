import { envInt, envOptionalString, envString, envUrl } from '../config/env-types';

/** Transcription settings (owned by the transcription feature). */
export const transcriptionConfigShape = {
  /** With no key, the embedded offline endpoint (pocketsphinx) is started and used. */
  OPENAI_API_KEY: envOptionalString(),
  OPENAI_BASE_URL: envUrl(),
  /** Azure OpenAI: set the resource endpoint (https://NAME.openai.azure.com) and API version; TRANSCRIBE_MODEL is the deployment. */
  AZURE_OPENAI_ENDPOINT: envUrl(),
  AZURE_OPENAI_API_VERSION: envString('2024-06-01'),
  TRANSCRIBE_MODEL: envString('whisper-1'),
  TRANSCRIBE_LANGUAGE: envOptionalString(),
  TRANSCRIBE_CONCURRENCY: envInt(2, { min: 1, max: 32 }),
  TRANSCRIBE_CHUNK_MAX_BYTES: envInt(24 * 1024 * 1024, { min: 64 * 1024, max: 25 * 1024 * 1024 }),
  /** Longest chunk sent in one request (also bounds the cost of one retry). */
  TRANSCRIBE_CHUNK_MAX_SECONDS: envInt(600, { min: 10 }),
  /** Silences at least this long are cut out and never sent. */
  TRANSCRIBE_SKIP_SILENCE_SECONDS: envInt(3, { min: 1 }),
  TRANSCRIBE_REQUEST_TIMEOUT_MS: envInt(300_000, { min: 1000 }),
  /** Tries per chunk request (429/5xx/connection errors), Retry-After honoured up to 120 s. */
  TRANSCRIBE_MAX_ATTEMPTS: envInt(5, { min: 1, max: 20 }),
  OFFLINE_ASR_PORT: envInt(0, { min: 0, max: 65535 }),
  /** Recognitions the embedded offline endpoint runs at once (each pocketsphinx uses about one core). */
  OFFLINE_ASR_CONCURRENCY: envInt(1, { min: 1, max: 16 }),
};
