import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { AzureOpenAI } from 'openai';
import { RecbotError } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import { decodeToWav, detectSilences, encodeChunk, maxChunkSecForBytes, probeStartSec, type AudioToolOptions } from './audio-chunker';
import { planChunks, type ChunkSpan } from './chunk-plan';
import { Limiter } from './limiter';
import type { SpeakerTranscript, Utterance } from './transcript.types';
import { decideRetry, DEFAULT_TRANSCRIPTION_RETRY, type TranscriptionRetryPolicy } from './transcription-retry';
import { parseVerboseResponse, toUtterances } from './verbose-response';
import { transcriptionAudioSeconds, transcriptionRequests } from './transcription.metrics';

/** Where to send requests: any OpenAI-compatible endpoint, or Azure OpenAI. */
export interface TranscriberEndpoint {
  apiKey: string;
  /** e.g. OpenAI's default, a self-hosted Whisper server, or the embedded offline endpoint's baseUrl. */
  baseURL?: string;
  /** Azure OpenAI: resource endpoint + API version; `model` is then the deployment name. */
  azure?: { endpoint: string; apiVersion: string };
}

export interface TranscriberOptions extends TranscriberEndpoint {
  model: string;
  language?: string;
  /** Chunk requests in flight at once, across all speakers (TRANSCRIBE_CONCURRENCY). */
  concurrency: number;
  /** Every chunk file stays under this size (TRANSCRIBE_CHUNK_MAX_BYTES). */
  chunkMaxBytes: number;
  /** Extra cap on chunk length (s); default 600. */
  chunkMaxSec?: number;
  /** Silences at least this long are not sent; default 3 s. */
  skipSilenceSec?: number;
  /** silencedetect threshold (dB); default -40. */
  silenceNoiseDb?: number;
  requestTimeoutMs?: number;
  retry?: Partial<TranscriptionRetryPolicy>;
  /** Scratch space; a directory per speaker is made and removed. */
  workDir: string;
  ffmpegBin?: string;
  ffprobeBin?: string;
  logger?: Logger;
  /** Inject a client (tests); otherwise built from the endpoint settings. */
  client?: OpenAI;
}

type ChunkInfo = NonNullable<SpeakerTranscript['chunks']>[number];
interface ChunkResult {
  utterances: Utterance[];
  language?: string;
  sent: number;
  chunks: ChunkInfo[];
}

/** One speaker's audio (e.g. speakers/{participantId}.webm) and where its t=0 sits on the session clock. */
export interface SpeakerAudio {
  speakerId: string;
  speakerName: string;
  filePath: string;
  /** Seconds from session start to the file's t=0 (0 when the mux already aligns files to the session). */
  offsetSec: number;
}

/** Build the openai SDK client. Retries are ours (Retry-After honoured, tested), so the SDK's are off. */
export function createTranscriptionClient(e: TranscriberEndpoint & { requestTimeoutMs?: number }): OpenAI {
  const common = { apiKey: e.apiKey, maxRetries: 0, timeout: e.requestTimeoutMs ?? 300_000 };
  if (e.azure) return new AzureOpenAI({ ...common, endpoint: e.azure.endpoint, apiVersion: e.azure.apiVersion });
  return new OpenAI({ ...common, ...(e.baseURL ? { baseURL: e.baseURL } : {}) });
}

/**
 * Transcribes per-speaker audio through the openai SDK's audio transcription API: cuts each file into
 * chunks at silences (under the byte limit), sends them in parallel with word + segment timestamps,
 * retries 429/5xx (honouring Retry-After), and shifts results onto the session clock.
 */
export class Transcriber {
  private readonly client: OpenAI;
  private readonly limiter: Limiter;
  private readonly log: Logger;
  private readonly tools: AudioToolOptions;
  private readonly retry: TranscriptionRetryPolicy;
  private readonly abort = new AbortController();

  constructor(private readonly opts: TranscriberOptions) {
    this.client = opts.client ?? createTranscriptionClient(opts);
    this.limiter = new Limiter(opts.concurrency);
    this.log = opts.logger ?? createLogger({ component: 'transcriber' });
    this.tools = { ffmpegBin: opts.ffmpegBin ?? 'ffmpeg', ffprobeBin: opts.ffprobeBin ?? 'ffprobe', timeoutMs: 600_000 };
    this.retry = { ...DEFAULT_TRANSCRIPTION_RETRY, ...opts.retry };
  }

  /** Transcribe several speakers; chunk requests share one concurrency limit. */
  transcribeAll(speakers: SpeakerAudio[]): Promise<SpeakerTranscript[]> {
    return Promise.all(speakers.map((s) => this.transcribeSpeaker(s)));
  }

  /** Transcribe one speaker's file into utterances with words, on the session clock. */
  async transcribeSpeaker(input: SpeakerAudio): Promise<SpeakerTranscript> {
    await mkdir(this.opts.workDir, { recursive: true });
    const dir = await mkdtemp(join(this.opts.workDir, 'transcribe-'));
    const log = this.log.child({ speakerId: input.speakerId });
    try {
      const startSec = await probeStartSec(input.filePath, this.tools);
      const wav = join(dir, 'speaker.wav');
      const durationSec = await decodeToWav(input.filePath, wav, this.tools);
      const silences = await detectSilences(wav, durationSec, {
        ...this.tools,
        noiseDb: this.opts.silenceNoiseDb ?? -40,
        minSilenceSec: 0.3,
      });
      const chunks = planChunks(durationSec, silences, {
        maxChunkSec: Math.min(this.opts.chunkMaxSec ?? 600, maxChunkSecForBytes(this.opts.chunkMaxBytes)),
        skipSilenceSec: this.opts.skipSilenceSec ?? 3,
        padSec: 0.3,
      });
      log.info({ durationSec, chunks: chunks.length }, 'transcribing speaker');
      const shift = input.offsetSec + startSec;
      const speaker = { speakerId: input.speakerId, speakerName: input.speakerName };
      // First failure stops the speaker's other chunks (no paid requests for a result we will drop),
      // and every task settles before the scratch directory is removed.
      const stop = new AbortController();
      const onClose = (): void => stop.abort();
      this.abort.signal.addEventListener('abort', onClose, { once: true });
      if (this.abort.signal.aborted) stop.abort();
      let firstError: unknown;
      let settled: PromiseSettledResult<ChunkResult>[];
      try {
        settled = await Promise.allSettled(
          chunks.map((c) =>
            this.limiter.run(async () => {
              stop.signal.throwIfAborted();
              return this.transcribeChunk(wav, dir, c, speaker, shift, 0, stop.signal);
            }).catch((err: unknown) => {
              if (!stop.signal.aborted) firstError = err; // the cause; later ones are our aborts
              stop.abort();
              throw err;
            }),
          ),
        );
      } finally {
        this.abort.signal.removeEventListener('abort', onClose);
      }
      const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (failed.length > 0) throw firstError ?? new RecbotError('TRANSCRIBE_ABORTED', 'transcription aborted (closed)', { cause: failed[0] });
      const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const utterances = results.flatMap((r) => r.utterances).sort((a, b) => a.start - b.start || a.end - b.end);
      const language = results.find((r) => r.language)?.language;
      return {
        ...speaker,
        ...(language ? { language } : {}),
        utterances,
        chunksSent: results.reduce((n, r) => n + r.sent, 0),
        chunks: results.flatMap((r) => r.chunks),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async transcribeChunk(
    wav: string,
    dir: string,
    c: ChunkSpan,
    speaker: { speakerId: string; speakerName: string },
    shift: number,
    depth: number,
    signal: AbortSignal,
  ): Promise<ChunkResult> {
    const file = join(dir, `chunk-${Math.round(c.start * 1000)}-${Math.round(c.end * 1000)}.ogg`);
    const size = await encodeChunk(wav, c.start, c.end - c.start, file, this.tools);
    try {
      if (size > this.opts.chunkMaxBytes) {
        // Rare (Opus VBR overshoot): split in halves rather than send an oversized request.
        if (depth >= 4) throw new RecbotError('TRANSCRIBE_CHUNK_TOO_LARGE', `chunk of ${size} bytes exceeds TRANSCRIBE_CHUNK_MAX_BYTES`);
        const mid = (c.start + c.end) / 2;
        const parts = await Promise.all([
          this.transcribeChunk(wav, dir, { index: c.index, start: c.start, end: mid }, speaker, shift, depth + 1, signal),
          this.transcribeChunk(wav, dir, { index: c.index + 0.5, start: mid, end: c.end }, speaker, shift, depth + 1, signal),
        ]);
        return {
          utterances: parts.flatMap((p) => p.utterances),
          language: parts[0]?.language,
          sent: parts.reduce((n, p) => n + p.sent, 0),
          chunks: parts.flatMap((p) => p.chunks),
        };
      }
      const body = await this.requestWithRetry(file, c, signal);
      transcriptionAudioSeconds.inc(c.end - c.start);
      const v = parseVerboseResponse(body);
      return {
        utterances: toUtterances(v, speaker, shift + c.start),
        ...(v.language ? { language: v.language } : {}),
        sent: 1,
        chunks: [{ start: c.start, end: c.end, bytes: size }],
      };
    } finally {
      await rm(file, { force: true });
    }
  }

  /** One chunk request, retried per the policy. Returns the raw body (unknown until validated). */
  private async requestWithRetry(file: string, c: ChunkSpan, signal: AbortSignal): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const res: unknown = await this.client.audio.transcriptions.create(
          {
            file: createReadStream(file),
            model: this.opts.model,
            response_format: 'verbose_json',
            timestamp_granularities: ['word', 'segment'],
            ...(this.opts.language ? { language: this.opts.language } : {}),
          },
          { signal },
        );
        transcriptionRequests.inc({ outcome: 'ok' });
        return res;
      } catch (err) {
        const d = decideRetry(err, attempt, this.retry);
        transcriptionRequests.inc({ outcome: d.retry ? 'retried' : 'failed' });
        if (!d.retry) throw d.error;
        this.log.warn({ chunk: c.index, attempt, delayMs: d.delayMs, reason: d.reason }, 'transcription request failed, retrying');
        await sleep(d.delayMs, undefined, { signal });
      }
    }
  }

  /** Abort requests in flight (idempotent). */
  close(): void {
    this.abort.abort();
  }
}
