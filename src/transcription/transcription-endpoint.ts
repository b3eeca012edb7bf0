import type { AppConfig } from '../config/config.schema';
import { createLogger, type Logger } from '../common/logger';
import { startOfflineAsr } from './offline-asr/offline-asr.server';
import type { TranscriberEndpoint, TranscriberOptions } from './transcriber';

/** The endpoint to use, plus `close()` for the embedded offline server when one was started. */
export interface ResolvedTranscriptionEndpoint extends TranscriberEndpoint {
  offline: boolean;
  close(): Promise<void>;
}

/**
 * OPENAI_API_KEY set: OpenAI / OPENAI_BASE_URL / Azure (AZURE_OPENAI_ENDPOINT). Unset: start the
 * embedded offline endpoint (pocketsphinx) on 127.0.0.1:OFFLINE_ASR_PORT and use it through the same SDK.
 */
export async function resolveTranscriptionEndpoint(
  config: Pick<AppConfig, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'AZURE_OPENAI_ENDPOINT' | 'AZURE_OPENAI_API_VERSION' | 'OFFLINE_ASR_PORT' | 'OFFLINE_ASR_CONCURRENCY' | 'FFMPEG_BIN'>,
  logger: Logger = createLogger({ component: 'transcription' }),
): Promise<ResolvedTranscriptionEndpoint> {
  if (config.OPENAI_API_KEY) {
    const azure = config.AZURE_OPENAI_ENDPOINT
      ? { azure: { endpoint: config.AZURE_OPENAI_ENDPOINT, apiVersion: config.AZURE_OPENAI_API_VERSION } }
      : {};
    return {
      apiKey: config.OPENAI_API_KEY,
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      ...azure,
      offline: false,
      close: async () => undefined,
    };
  }
  const server = await startOfflineAsr({
    port: config.OFFLINE_ASR_PORT,
    concurrency: config.OFFLINE_ASR_CONCURRENCY,
    ffmpegBin: config.FFMPEG_BIN,
    logger,
  });
  logger.info({ baseUrl: server.baseUrl }, 'no OPENAI_API_KEY: using the embedded offline transcription endpoint (pocketsphinx)');
  return { apiKey: 'offline', baseURL: server.baseUrl, offline: true, close: () => server.close() };
}

/** Transcriber options from validated config and a resolved endpoint. */
export function transcriberOptionsFromConfig(
  config: AppConfig,
  endpoint: TranscriberEndpoint,
  workDir: string,
): TranscriberOptions {
  return {
    apiKey: endpoint.apiKey,
    ...(endpoint.baseURL ? { baseURL: endpoint.baseURL } : {}),
    ...(endpoint.azure ? { azure: endpoint.azure } : {}),
    model: config.TRANSCRIBE_MODEL,
    ...(config.TRANSCRIBE_LANGUAGE ? { language: config.TRANSCRIBE_LANGUAGE } : {}),
    concurrency: config.TRANSCRIBE_CONCURRENCY,
    chunkMaxBytes: config.TRANSCRIBE_CHUNK_MAX_BYTES,
    chunkMaxSec: config.TRANSCRIBE_CHUNK_MAX_SECONDS,
    skipSilenceSec: config.TRANSCRIBE_SKIP_SILENCE_SECONDS,
    requestTimeoutMs: config.TRANSCRIBE_REQUEST_TIMEOUT_MS,
    retry: { maxAttempts: config.TRANSCRIBE_MAX_ATTEMPTS },
    workDir,
    ffmpegBin: config.FFMPEG_BIN,
    ffprobeBin: config.FFPROBE_BIN,
  };
}
