import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { errorMessage } from '../../common/errors';
import { createLogger, type Logger } from '../../common/logger';
import { Limiter } from '../limiter';
import { renderAsrResponse, toVerboseJson, type ResponseFormat } from './asr-formats';
import { recognizeFile, UnsupportedAudioError, type RecognizerOptions } from './pocketsphinx-recognizer';

export interface OfflineAsrOptions extends RecognizerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Largest accepted upload; OpenAI's limit is 25 MiB. */
  maxFileBytes?: number;
  /** Recognitions run at the same time (each pocketsphinx takes about one core). */
  concurrency?: number;
  /** Where uploads are spooled (a fresh directory per request). */
  tmpDir?: string;
  logger?: Logger;
}

/** A running offline endpoint. `baseUrl` ends with `/v1` (pass it as the SDK's baseURL). */
export interface OfflineAsrHandle {
  baseUrl: string;
  close(): Promise<void>;
}

const FORMATS: readonly ResponseFormat[] = ['json', 'verbose_json', 'text', 'srt', 'vtt'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, e: HttpError): void {
  const body = JSON.stringify({ error: { message: e.message, type: e.type, param: e.param, code: e.code } });
  res.writeHead(e.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

interface ParsedForm {
  filePath?: string;
  fileBytes: number;
  tooLarge: boolean;
  fields: Map<string, string[]>;
}

/** Spool the multipart body: the file to `dir`, fields into a map. */
async function parseForm(req: IncomingMessage, dir: string, maxFileBytes: number): Promise<ParsedForm> {
  const form: ParsedForm = { fileBytes: 0, tooLarge: false, fields: new Map() };
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { fileSize: maxFileBytes, files: 1, fields: 50 } });
  } catch (err) {
    throw new HttpError(400, `Expected a multipart/form-data body: ${errorMessage(err)}`);
  }
  const writes: Promise<void>[] = [];
  bb.on('field', (name, value) => form.fields.set(name, [...(form.fields.get(name) ?? []), value]));
  bb.on('file', (name, stream) => {
    if (name !== 'file' || form.filePath) {
      stream.resume();
      return;
    }
    const path = join(dir, 'upload');
    form.filePath = path;
    stream.on('data', (d: Buffer) => (form.fileBytes += d.length));
    stream.on('limit', () => (form.tooLarge = true));
    writes.push(pipeline(stream, createWriteStream(path)));
  });
  await new Promise<void>((resolve, reject) => {
    bb.on('close', resolve);
    bb.on('error', (err) => reject(new HttpError(400, `Malformed multipart body: ${errorMessage(err)}`)));
    req.on('error', reject);
    req.pipe(bb);
  });
  await Promise.all(writes);
  return form;
}

function field(form: ParsedForm, name: string): string | undefined {
  return form.fields.get(name)?.[0];
}

/**
 * Start the embedded offline transcription endpoint: OpenAI's `POST /v1/audio/transcriptions`
 * (multipart: file, model, language?, response_format, timestamp_granularities[]) backed by pocketsphinx.
 * Errors use OpenAI's JSON error shape: 400 bad body, 413 too large, 415 undecodable audio.
 */
export async function startOfflineAsr(opts: OfflineAsrOptions = {}): Promise<OfflineAsrHandle> {
  const log = opts.logger ?? createLogger({ component: 'offline-asr' });
  const maxFileBytes = opts.maxFileBytes ?? 25 * 1024 * 1024;
  const limiter = new Limiter(opts.concurrency ?? 1);

  async function transcribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxFileBytes + 64 * 1024) {
      // Read and discard the body so the client sees the response instead of a reset.
      res.setHeader('connection', 'close');
      req.resume();
      await new Promise((r) => req.on('end', r).on('error', r));
      throw new HttpError(413, `Maximum content size limit (${maxFileBytes}) exceeded.`, 'invalid_request_error', 'file');
    }
    const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'recbot-asr-'));
    try {
      const form = await parseForm(req, dir, maxFileBytes);
      if (form.tooLarge) throw new HttpError(413, `Maximum content size limit (${maxFileBytes}) exceeded.`, undefined, 'file');
      if (!form.filePath) throw new HttpError(400, "Missing required parameter: 'file'.", undefined, 'file');
      if (!field(form, 'model')) throw new HttpError(400, "Missing required parameter: 'model'.", undefined, 'model');
      const format = (field(form, 'response_format') ?? 'json') as ResponseFormat;
      if (!FORMATS.includes(format)) {
        throw new HttpError(400, `Invalid response_format '${format}'.`, undefined, 'response_format');
      }
      const language = field(form, 'language');
      if (language && !['en', 'english'].includes(language.toLowerCase())) {
        throw new HttpError(400, `Unsupported language '${language}': the offline model is US English only.`, undefined, 'language');
      }
      const granularities = [
        ...(form.fields.get('timestamp_granularities[]') ?? []),
        ...(form.fields.get('timestamp_granularities') ?? []),
      ];
      if (granularities.some((g) => g !== 'word' && g !== 'segment')) {
        throw new HttpError(400, 'timestamp_granularities must be word and/or segment.', undefined, 'timestamp_granularities');
      }
      const started = Date.now();
      const result =
        form.fileBytes === 0
          ? { segments: [], durationSec: 0 }
          : await limiter.run(() => recognizeFile(form.filePath ?? '', dir, opts));
      const verbose = toVerboseJson(result.segments, {
        durationSec: result.durationSec,
        language: 'english',
        words: granularities.includes('word'),
      });
      log.debug({ bytes: form.fileBytes, durationSec: result.durationSec, ms: Date.now() - started }, 'transcribed');
      const [type, body] = renderAsrResponse(verbose, format);
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async (): Promise<void> => {
      if (req.method === 'GET' && path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      if (path === '/v1/audio/transcriptions' || path === '/audio/transcriptions') {
        if (req.method !== 'POST') throw new HttpError(405, 'Method not allowed; use POST.');
        await transcribe(req, res);
        return;
      }
      req.resume();
      throw new HttpError(404, `Unknown path ${path}`);
    };
    handle().catch((err: unknown) => {
      const e =
        err instanceof HttpError
          ? err
          : err instanceof UnsupportedAudioError
            ? new HttpError(415, err.message, 'invalid_request_error', 'file', 'unsupported_audio')
            : new HttpError(500, `Transcription failed: ${errorMessage(err)}`, 'server_error');
      if (e.status >= 500) log.error({ err }, 'offline transcription failed');
      req.resume();
      if (!res.headersSent) sendError(res, e);
      else res.destroy();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${host}:${addr.port}/v1`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
