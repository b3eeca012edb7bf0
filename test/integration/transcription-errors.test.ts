/**
 * Retries and failures of the openai SDK transcription path against a local server that replays
 * OpenAI's documented error behaviours (429 with Retry-After, 500, 413, malformed bodies).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { RecbotError } from '../../src/common/errors';
import { Transcriber } from '../../src/transcription/transcriber';
import { transcriptionRequests } from '../../src/transcription/transcription.metrics';

jest.setTimeout(60_000);

interface SeenRequest {
  atMs: number;
  url: string;
  apiKeyHeader?: string;
  authorization?: string;
  fields: Record<string, string[]>;
  fileName?: string;
  fileBytes: number;
  fileHead: string;
}
type Reply = (res: ServerResponse) => void;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const rateLimited = json(
  429,
  { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  { 'retry-after': '1' },
);
const serverError = json(500, {
  error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
});
const tooLarge = json(413, {
  error: { message: 'Maximum content size limit (26214400) exceeded (26214401 bytes read)', type: 'server_error', param: null, code: null },
});
/** A verbose_json answer: one segment at 0.5-1.5 s of the chunk with two words. */
const ok = json(200, {
  task: 'transcribe',
  language: 'english',
  duration: 2,
  text: 'hello world',
  segments: [{ id: 0, seek: 0, start: 0.5, end: 1.5, text: ' hello world', tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0 }],
  words: [
    { word: 'hello', start: 0.5, end: 0.9 },
    { word: 'world', start: 1.0, end: 1.5 },
  ],
});

/** A local server answering transcription requests from a script (last reply repeats). */
class ScriptedServer {
  readonly seen: SeenRequest[] = [];
  private server?: Server;
  constructor(private readonly script: Reply[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seen: SeenRequest = {
      atMs: Date.now(),
      url: req.url ?? '',
      ...(typeof req.headers['api-key'] === 'string' ? { apiKeyHeader: req.headers['api-key'] } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      fields: {},
      fileBytes: 0,
      fileHead: '',
    };
    await new Promise<void>((resolve) => {
      const bb = busboy({ headers: req.headers });
      bb.on('field', (k, v) => (seen.fields[k] = [...(seen.fields[k] ?? []), v]));
      bb.on('file', (_n, stream, info) => {
        seen.fileName = info.filename;
        stream.on('data', (d: Buffer) => {
          if (seen.fileBytes === 0) seen.fileHead = d.subarray(0, 4).toString('latin1');
          seen.fileBytes += d.length;
        });
      });
      bb.on('close', resolve);
      req.pipe(bb);
    });
    const reply = this.script[Math.min(this.seen.length, this.script.length - 1)] as Reply;
    this.seen.push(seen);
    reply(res);
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

async function requestCounts(): Promise<{ ok: number; retried: number; failed: number }> {
  const out = { ok: 0, retried: 0, failed: 0 };
  for (const v of (await transcriptionRequests.get()).values) {
    const k = v.labels.outcome;
    if (k === 'ok' || k === 'retried' || k === 'failed') out[k] = v.value;
  }
  return out;
}

describe('transcriber retries and failures against a local server replaying OpenAI errors', () => {
  let dir: string;
  let audio: string;
  let server: ScriptedServer | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recbot-txerr-'));
    // 2 s of silence, then 2 s of sound: the single chunk starts at 2 - 0.3 (pad) = 1.7 s.
    audio = join(dir, 'speaker.webm');
    execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-t', '2', '-i', 'anullsrc=r=48000:cl=mono',
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2:sample_rate=48000',
      '-filter_complex', '[0][1]concat=n=2:v=0:a=1', '-c:a', 'libopus', '-f', 'webm', audio]);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(script: Reply[], maxAttempts = 4, azure = false, file = audio, concurrency = 2) {
    server = new ScriptedServer(script);
    const baseURL = await server.start();
    const t = new Transcriber({
      apiKey: 'sk-test',
      ...(azure ? { azure: { endpoint: baseURL.replace(/\/v1$/, ''), apiVersion: '2024-06-01' } } : { baseURL }),
      model: 'whisper-1',
      language: 'en',
      concurrency,
      chunkMaxBytes: 64 * 1024,
      workDir: join(dir, 'work'),
      retry: { maxAttempts, baseDelayMs: 50, maxDelayMs: 200 },
    });
    try {
      return await t.transcribeSpeaker({ speakerId: 'p1', speakerName: 'Ann', filePath: file, offsetSec: 10 });
    } finally {
      t.close();
    }
  }

  it('against a local server: waits Retry-After on 429, then succeeds; sends Opus chunks with word+segment granularity', async () => {
    const before = await requestCounts();
    const res = await run([rateLimited, ok]);
    const after = await requestCounts();
    expect([after.retried - before.retried, after.ok - before.ok]).toEqual([1, 1]);
    const seen = server?.seen ?? [];
    expect(seen).toHaveLength(2);
    const gap = (seen[1]?.atMs ?? 0) - (seen[0]?.atMs ?? 0);
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(seen[0]?.fields).toMatchObject({
      model: ['whisper-1'],
      language: ['en'],
      response_format: ['verbose_json'],
      'timestamp_granularities[]': ['word', 'segment'],
    });
    expect(seen[0]?.url).toBe('/v1/audio/transcriptions');
    expect(seen[0]?.authorization).toBe('Bearer sk-test');
    expect(seen[0]?.fileHead).toBe('OggS');
    expect(seen[0]?.fileBytes).toBeLessThan(64 * 1024);
    // Shifted by the speaker offset (10 s) and the chunk start (1.7 s).
    expect(res.utterances).toHaveLength(1);
    const u = res.utterances[0];
    expect(u).toMatchObject({ speakerId: 'p1', speakerName: 'Ann', text: 'hello world' });
    const times = [u?.start, u?.end, ...(u?.words ?? []).flatMap((w) => [w.start, w.end])];
    const expected = [12.2, 13.2, 12.2, 12.6, 12.7, 13.2];
    times.forEach((t, i) => expect(Math.abs((t ?? 0) - (expected[i] ?? 0))).toBeLessThan(0.03));
    expect(u?.words.map((w) => w.word)).toEqual(['hello', 'world']);
    console.log(`429 Retry-After: 1 -> retried after ${gap} ms`);
  });

  it('against a local server: retries 500 with backoff and succeeds on the third try', async () => {
    const res = await run([serverError, serverError, ok]);
    expect(server?.seen).toHaveLength(3);
    expect(res.utterances[0]?.text).toBe('hello world');
  });

  it('against a local server: gives up after maxAttempts of 500 with a retryable error', async () => {
    const err: unknown = await run([serverError], 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecbotError);
    expect(err).toMatchObject({ code: 'TRANSCRIBE_UNAVAILABLE', retryable: true });
    expect(server?.seen).toHaveLength(3);
  });

  it('against a local server: 413 fails at once, not retryable', async () => {
    const err: unknown = await run([tooLarge, ok]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSCRIBE_CHUNK_TOO_LARGE', retryable: false });
    expect(String((err as Error).message)).toMatch(/TRANSCRIBE_CHUNK_MAX_BYTES/);
    expect(server?.seen).toHaveLength(1);
  });

  it('against a local server: a malformed 200 body fails at once, not retryable', async () => {
    for (const bad of [
      (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"text": "trunc'),
      json(200, { segments: 'nope' }),
    ]) {
      const err: unknown = await run([bad, ok]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TRANSCRIBE_BAD_RESPONSE', retryable: false });
      expect(server?.seen).toHaveLength(1);
      await server?.close();
    }
  });

  it('against a local server: Azure OpenAI settings call the deployment path with api-version and api-key', async () => {
    const res = await run([ok], 1, true);
    expect(server?.seen[0]?.url).toBe('/openai/deployments/whisper-1/audio/transcriptions?api-version=2024-06-01');
    expect(server?.seen[0]?.apiKeyHeader).toBe('sk-test');
    expect(res.utterances[0]?.text).toBe('hello world');
  });

  it('against a local server: a failed chunk stops the speaker\'s remaining chunks', async () => {
    // tone, 5 s silence, tone: two chunks; one request at a time.
    const two = join(dir, 'two-chunks.webm');
    execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1.5:sample_rate=48000',
      '-f', 'lavfi', '-t', '5', '-i', 'anullsrc=r=48000:cl=mono', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1.5:sample_rate=48000',
      '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', '-c:a', 'libopus', '-f', 'webm', two]);
    const okBoth = await run([ok], 1, false, two, 1);
    expect(okBoth.chunksSent).toBe(2);
    await server?.close();
    const err: unknown = await run([tooLarge, ok], 4, false, two, 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSCRIBE_CHUNK_TOO_LARGE' });
    expect(server?.seen).toHaveLength(1);
  });
});
