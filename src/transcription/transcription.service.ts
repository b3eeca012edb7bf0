import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RecbotError } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import type { ManifestOutput, RecordingManifest } from '../manifest/manifest.types';
import { assertSafeId, storageKeys, TRANSCRIPT_FORMATS } from '../storage/storage-keys';
import type { StorageDriver } from '../storage/storage.types';
import type { Transcriber } from './transcriber';
import { mergeTranscripts, renderTranscriptFiles } from './transcript-merge';
import type { SpeakerTranscript } from './transcript.types';

/** Keys of the per-speaker intermediate transcripts (inputs of MergeTranscript). */
export const transcriptionKeys = {
  partsPrefix: (recordingId: string) => storageKeys.transcriptPartsPrefix(recordingId),
  speakerPart: (recordingId: string, participantId: string) =>
    `${transcriptionKeys.partsPrefix(recordingId)}${assertSafeId('participantId', participantId)}.json`,
};

const wordSchema = z.object({ word: z.string(), start: z.number(), end: z.number() });
const speakerTranscriptSchema = z.object({
  speakerId: z.string(),
  speakerName: z.string(),
  language: z.string().optional(),
  chunksSent: z.number(),
  chunks: z.array(z.object({ start: z.number(), end: z.number(), bytes: z.number() })).optional(),
  utterances: z.array(
    z.object({ speakerId: z.string(), speakerName: z.string(), start: z.number(), end: z.number(), text: z.string(), words: z.array(wordSchema) }),
  ),
});

const CONTENT_TYPES: Record<(typeof TRANSCRIPT_FORMATS)[number], string> = {
  json: 'application/json',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

export interface TranscriptionServiceOptions {
  storage: StorageDriver;
  /** Read a recording's manifest (e.g. ManifestRepository.load). */
  loadManifest(recordingId: string): Promise<RecordingManifest>;
  transcriber: Transcriber;
  /** Scratch space for downloaded speaker files. */
  workDir: string;
  logger?: Logger;
}

/**
 * The jobs' side of transcription: TranscribeSpeaker (download speakers/{pid}.webm, transcribe, store
 * transcripts/{pid}.json) and MergeTranscript (merge all parts into transcript.{json,vtt,srt,txt}).
 * Both are idempotent: a stored part is reused on retry (no second paid request), outputs have fixed keys.
 */
export class TranscriptionService {
  private readonly log: Logger;

  constructor(private readonly opts: TranscriptionServiceOptions) {
    this.log = opts.logger ?? createLogger({ component: 'transcription' });
  }

  /** Transcribe one speaker's muxed file (on the session clock, so offset 0). */
  async transcribeSpeaker(recordingId: string, participantId: string, mediaKey: string): Promise<{ key: string; utterances: number; reused: boolean }> {
    const key = transcriptionKeys.speakerPart(recordingId, participantId);
    const existing = await this.readPart(key);
    if (existing) return { key, utterances: existing.utterances.length, reused: true };
    const manifest = await this.opts.loadManifest(recordingId);
    const name = manifest.participants.find((p) => p.participantId === participantId)?.name ?? participantId;
    await mkdir(this.opts.workDir, { recursive: true });
    const dir = await mkdtemp(join(this.opts.workDir, 'speaker-'));
    try {
      const file = join(dir, mediaKey.split('/').pop() ?? 'speaker.webm');
      await this.opts.storage.downloadFile(mediaKey, file);
      const t = await this.opts.transcriber.transcribeSpeaker({ speakerId: participantId, speakerName: name, filePath: file, offsetSec: 0 });
      const body = JSON.stringify(t);
      await this.opts.storage.putBuffer(key, body, { contentType: 'application/json', md5: md5(body) });
      this.log.info({ recordingId, participantId, utterances: t.utterances.length, chunks: t.chunksSent }, 'speaker transcribed');
      return { key, utterances: t.utterances.length, reused: false };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Merge every stored part of the manifest's participants; store and return the four transcript outputs. */
  async mergeTranscript(recordingId: string): Promise<ManifestOutput[]> {
    const manifest = await this.opts.loadManifest(recordingId);
    const parts: SpeakerTranscript[] = [];
    for (const p of manifest.participants) {
      const part = await this.readPart(transcriptionKeys.speakerPart(recordingId, p.participantId));
      if (part) parts.push({ ...part, speakerName: p.name, utterances: part.utterances.map((u) => ({ ...u, speakerName: p.name })) });
    }
    const files = renderTranscriptFiles(mergeTranscripts(parts, { recordingId }));
    const outputs: ManifestOutput[] = [];
    for (const format of TRANSCRIPT_FORMATS) {
      const body = files[format];
      const key = storageKeys.transcript(recordingId, format);
      const info = await this.opts.storage.putBuffer(key, body, { contentType: CONTENT_TYPES[format], md5: md5(body) });
      outputs.push({ kind: 'transcript', key, size: info.size, md5: md5(body), format, createdMs: Date.now() });
    }
    this.log.info({ recordingId, speakers: parts.length }, 'transcript merged');
    return outputs;
  }

  private async readPart(key: string): Promise<SpeakerTranscript | undefined> {
    if (!(await this.opts.storage.head(key))) return undefined;
    const raw: unknown = JSON.parse((await this.opts.storage.getBuffer(key)).toString('utf8'));
    const r = speakerTranscriptSchema.safeParse(raw);
    if (!r.success) throw new RecbotError('TRANSCRIPT_PART_INVALID', `${key} is not a valid speaker transcript`);
    return r.data;
  }
}

function md5(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}
