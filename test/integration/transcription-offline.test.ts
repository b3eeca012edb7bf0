/**
 * The real path: openai SDK -> embedded offline endpoint (pocketsphinx) with flite speech from two
 * voices taking turns, each speaker in its own Opus WebM on the session clock. Checks attribution,
 * order, WER and word onsets, plus the endpoint's OpenAI-style errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError, toFile } from 'openai';
import { startOfflineAsr, type OfflineAsrHandle } from '../../src/transcription/offline-asr/offline-asr.server';
import { Transcriber } from '../../src/transcription/transcriber';
import { mergeTranscripts, renderTranscriptFiles } from '../../src/transcription/transcript-merge';
import type { Transcript } from '../../src/transcription/transcript.types';
import { TranscriptionService, transcriptionKeys } from '../../src/transcription/transcription.service';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import type { RecordingManifest } from '../../src/manifest/manifest.types';

jest.setTimeout(150_000);

const RATE = 16_000;
interface Turn {
  speaker: 'A' | 'B';
  text: string;
}
const TURNS: Turn[] = [
  { speaker: 'A', text: 'Good morning. Thank you for joining the interview today.' },
  { speaker: 'B', text: 'Thank you for having me. I am happy to be here.' },
  { speaker: 'A', text: 'Tell me about your last project.' },
  { speaker: 'B', text: 'I built a system that records video calls.' },
  { speaker: 'A', text: 'That sounds interesting. What was the hardest part?' },
  { speaker: 'B', text: 'Keeping the audio and the video in sync.' },
];
const VOICES = { A: 'slt', B: 'kal16' } as const;
const SPEAKERS = { A: { id: 'p-alice', name: 'Alice' }, B: { id: 'p-bob', name: 'Bob' } } as const;
/** Bob's file starts 2 s into the session (his offsetSec), Alice's at 0. */
const FILE_OFFSET = { A: 0, B: 2 } as const;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** flite speech as raw s16le 16 kHz mono samples. */
function speak(dir: string, i: number, t: Turn): Int16Array {
  const wav = join(dir, `turn-${i}.wav`);
  const raw = join(dir, `turn-${i}.raw`);
  execFileSync('flite', ['-voice', VOICES[t.speaker], '-t', t.text, '-o', wav]);
  ffmpeg(['-i', wav, '-ac', '1', '-ar', String(RATE), '-f', 's16le', raw]);
  const b = readFileSync(raw);
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
}

/** Index of the first sample louder than about -36 dBFS. */
function firstLoud(s: Int16Array): number {
  const i = s.findIndex((v) => Math.abs(v) > 500);
  return i < 0 ? 0 : i;
}

const normalize = (s: string): string[] =>
  s.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

/** Word error rate: word-level Levenshtein distance / reference length. */
function wer(ref: string[], hyp: string[]): number {
  const d = Array.from({ length: ref.length + 1 }, (_, i) => [i, ...Array<number>(hyp.length).fill(0)]);
  for (let j = 1; j <= hyp.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= hyp.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const sub = (prev[j - 1] as number) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      row[j] = Math.min(sub, (prev[j] as number) + 1, (row[j - 1] as number) + 1);
    }
  }
  return ((d[ref.length] as number[])[hyp.length] as number) / Math.max(1, ref.length);
}

describe('transcription through the openai SDK and the offline endpoint (pocketsphinx, flite voices)', () => {
  let dir: string;
  let asr: OfflineAsrHandle;
  /** Session-clock interval and speech onset of every turn. */
  const placed: { turn: Turn; startSec: number; endSec: number; onsetSec: number }[] = [];
  let transcript: Transcript;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recbot-tx-'));
    asr = await startOfflineAsr({ concurrency: 2, maxFileBytes: 2 * 1024 * 1024 });
    // Lay the turns out on the session clock with 1.2 s pauses; the last turn overlaps the previous one.
    const voices = TURNS.map((t, i) => speak(dir, i, t));
    let cursor = 1.0;
    voices.forEach((s, i) => {
      const turn = TURNS[i] as Turn;
      const start = i === TURNS.length - 1 ? cursor - 1.5 - 0.8 : cursor;
      placed.push({ turn, startSec: start, endSec: start + s.length / RATE, onsetSec: start + firstLoud(s) / RATE });
      cursor = start + s.length / RATE + 1.5;
    });
    const total = cursor + 1;
    for (const who of ['A', 'B'] as const) {
      const pcm = new Int16Array(Math.ceil((total - FILE_OFFSET[who]) * RATE));
      placed.forEach((p, i) => {
        if (p.turn.speaker === who) pcm.set(voices[i] as Int16Array, Math.round((p.startSec - FILE_OFFSET[who]) * RATE));
      });
      const raw = join(dir, `${who}.raw`);
      writeFileSync(raw, Buffer.from(pcm.buffer));
      ffmpeg(['-f', 's16le', '-ar', String(RATE), '-ac', '1', '-i', raw, '-c:a', 'libopus', '-b:a', '48k', '-ar', '48000', '-f', 'webm', join(dir, `${who}.webm`)]);
    }
  });

  afterAll(async () => {
    await asr?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('transcribes each speaker file, attributes 100% of utterances correctly, in order, with onsets within 300 ms', async () => {
    const transcriber = new Transcriber({
      apiKey: 'offline',
      baseURL: asr.baseUrl,
      model: 'whisper-1',
      concurrency: 2,
      chunkMaxBytes: 64 * 1024,
      workDir: join(dir, 'work'),
    });
    const started = Date.now();
    const speakers = await transcriber.transcribeAll(
      (['A', 'B'] as const).map((who) => ({
        speakerId: SPEAKERS[who].id,
        speakerName: SPEAKERS[who].name,
        filePath: join(dir, `${who}.webm`),
        offsetSec: FILE_OFFSET[who],
      })),
    );
    transcriber.close();
    transcript = mergeTranscripts(speakers, { recordingId: 'rec-tx' });
    const elapsed = Date.now() - started;

    // Silences of 3 s and more are never sent: one chunk per turn here.
    expect(speakers.map((s) => s.chunksSent)).toEqual([3, 3]);
    expect(transcript.utterances.length).toBeGreaterThanOrEqual(TURNS.length);

    // Every utterance belongs to the turn whose interval holds its start, and that turn's speaker said it.
    const turnOf = transcript.utterances.map((u) =>
      placed.findIndex((p) => u.start >= p.startSec - 0.3 && u.start <= p.endSec + 0.3 && SPEAKERS[p.turn.speaker].id === u.speakerId),
    );
    const misattributed = transcript.utterances.filter((_, i) => turnOf[i] === -1);
    expect(misattributed).toEqual([]);
    const order = turnOf.filter((t, i) => i === 0 || t !== turnOf[i - 1]);
    const expectedOrder = placed.map((p, i) => ({ i, s: p.startSec })).sort((a, b) => a.s - b.s).map((x) => x.i);
    expect(order).toEqual(expectedOrder);

    // Word onsets: the first word of each turn starts within 300 ms of the known speech onset.
    const onsetErrorsMs = placed.map((p, i) => {
      const first = transcript.utterances.filter((_, k) => turnOf[k] === i).flatMap((u) => u.words)[0];
      return first ? Math.round((first.start - p.onsetSec) * 1000) : Infinity;
    });
    for (const e of onsetErrorsMs) expect(Math.abs(e)).toBeLessThanOrEqual(300);
    // Words lie inside their utterance and are ordered.
    for (const u of transcript.utterances) {
      for (const w of u.words) expect(w.start >= u.start - 0.01 && w.end <= u.end + 0.01 && w.end >= w.start).toBe(true);
    }

    const perSpeaker = (['A', 'B'] as const).map((who) => {
      const ref = placed.filter((p) => p.turn.speaker === who).sort((a, b) => a.startSec - b.startSec).flatMap((p) => normalize(p.turn.text));
      const hyp = transcript.utterances.filter((u) => u.speakerId === SPEAKERS[who].id).flatMap((u) => normalize(u.text));
      return wer(ref, hyp);
    });
    const allRef = placed.flatMap((p) => normalize(p.turn.text));
    const overall = perSpeaker.reduce((a, w, i) => a + w * placed.filter((p) => p.turn.speaker === (i === 0 ? 'A' : 'B')).flatMap((p) => normalize(p.turn.text)).length, 0) / allRef.length;
    console.log(
      `offline transcription: ${transcript.utterances.length} utterances, WER slt=${(perSpeaker[0] as number * 100).toFixed(1)}% ` +
        `kal16=${(perSpeaker[1] as number * 100).toFixed(1)}% overall=${(overall * 100).toFixed(1)}%, ` +
        `first-word onset errors ms=${onsetErrorsMs.join(',')}, ${elapsed} ms\n${renderTranscriptFiles(transcript).txt}`,
    );
    expect(overall).toBeLessThan(0.35);

    const files = renderTranscriptFiles(transcript);
    expect(files.vtt).toMatch(/^WEBVTT\n\n1\n00:00:0\d\.\d{3} --> 00:00:0\d\.\d{3}\n<v Alice>/);
    expect(files.srt.split('\n\n').filter(Boolean)).toHaveLength(transcript.utterances.length);
    expect(files.txt.split('\n')[0]).toMatch(/^\[00:00:0\d\] Alice: \S/);
  });

  it('cuts a long stretch into chunks under TRANSCRIBE_CHUNK_MAX_BYTES at silences, without losing words', async () => {
    const transcriber = new Transcriber({
      apiKey: 'offline',
      baseURL: asr.baseUrl,
      model: 'whisper-1',
      concurrency: 2,
      chunkMaxBytes: 64 * 1024, // about 12 s of Opus at 32 kbps
      skipSilenceSec: 1000, // send silences too: the whole file is one stretch to cut
      workDir: join(dir, 'work'),
    });
    const a = await transcriber.transcribeSpeaker({ speakerId: 'p-alice', speakerName: 'Alice', filePath: join(dir, 'A.webm'), offsetSec: 0 });
    transcriber.close();
    const chunks = a.chunks ?? [];
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) expect(c.bytes).toBeLessThan(64 * 1024);
    // Contiguous, and every cut falls in a pause between turns (never inside a turn).
    chunks.slice(1).forEach((c, i) => expect(c.start).toBeCloseTo((chunks[i] as { end: number }).end, 3));
    const aTurns = placed.filter((p) => p.turn.speaker === 'A');
    for (const c of chunks.slice(1)) expect(aTurns.some((p) => c.start > p.onsetSec - 0.2 && c.start < p.endSec - 0.3)).toBe(false);
    const ref = aTurns.flatMap((p) => normalize(p.turn.text));
    const hyp = a.utterances.flatMap((u) => normalize(u.text));
    const w = wer(ref, hyp);
    console.log(`forced chunking: ${chunks.length} chunks ${chunks.map((c) => `${c.start}-${c.end}s/${c.bytes}B`).join(' ')}, WER ${(w * 100).toFixed(1)}%`);
    expect(w).toBeLessThan(0.35);
  });

  it('TranscriptionService: speaker parts in storage, merged transcript files, reuse on retry', async () => {
    const storage = new FsStorageDriver(join(dir, 'store'));
    const recordingId = 'rec-svc';
    const manifest = {
      version: 1,
      recordingId,
      participants: [
        { participantId: 'p-alice', name: 'Alice', firstSeenMs: 0 },
        { participantId: 'p-bob', name: 'Bob', firstSeenMs: 0 },
      ],
    } as unknown as RecordingManifest;
    // Speaker files as the mux step leaves them: on the session clock (Bob's padded to start at 0).
    const bobAligned = join(dir, 'B-aligned.webm');
    ffmpeg(['-i', join(dir, 'B.webm'), '-af', `adelay=${FILE_OFFSET.B * 1000}`, '-c:a', 'libopus', '-f', 'webm', bobAligned]);
    await storage.putFile(`recordings/${recordingId}/speakers/p-alice.webm`, join(dir, 'A.webm'));
    await storage.putFile(`recordings/${recordingId}/speakers/p-bob.webm`, bobAligned);
    const transcriber = new Transcriber({ apiKey: 'offline', baseURL: asr.baseUrl, model: 'whisper-1', concurrency: 2, chunkMaxBytes: 1024 * 1024, workDir: join(dir, 'work') });
    const service = new TranscriptionService({ storage, loadManifest: async () => manifest, transcriber, workDir: join(dir, 'work') });
    try {
      const [ra, rb] = await Promise.all([
        service.transcribeSpeaker(recordingId, 'p-alice', `recordings/${recordingId}/speakers/p-alice.webm`),
        service.transcribeSpeaker(recordingId, 'p-bob', `recordings/${recordingId}/speakers/p-bob.webm`),
      ]);
      expect([ra.reused, rb.reused, ra.utterances >= 3, rb.utterances >= 3]).toEqual([false, false, true, true]);
      expect(ra.key).toBe(transcriptionKeys.speakerPart(recordingId, 'p-alice'));
      const again = await service.transcribeSpeaker(recordingId, 'p-alice', `recordings/${recordingId}/speakers/p-alice.webm`);
      expect(again).toEqual({ ...ra, reused: true });

      const outputs = await service.mergeTranscript(recordingId);
      expect(outputs.map((o) => o.key)).toEqual(['json', 'vtt', 'srt', 'txt'].map((f) => `recordings/${recordingId}/transcript.${f}`));
      const json = JSON.parse((await storage.getBuffer(`recordings/${recordingId}/transcript.json`)).toString()) as Transcript;
      expect(json.utterances.map((u) => u.speakerName)).toEqual(transcript.utterances.map((u) => u.speakerName));
      json.utterances.forEach((u, i) => expect(Math.abs(u.start - (transcript.utterances[i]?.start ?? 0))).toBeLessThan(0.1));
      const vtt = (await storage.getBuffer(`recordings/${recordingId}/transcript.vtt`)).toString();
      expect(vtt).toMatch(/^WEBVTT\n/);
      expect(vtt).toContain('<v Bob>');
      for (const o of outputs) expect((await storage.head(o.key))?.size).toBe(o.size);
    } finally {
      transcriber.close();
      await storage.close();
    }
  });

  describe('offline endpoint API surface', () => {
    const client = (): OpenAI => new OpenAI({ apiKey: 'offline', baseURL: asr.baseUrl, maxRetries: 0 });
    const wavOf = (name: string, seconds: number, src: string): Buffer => {
      const out = join(dir, name);
      ffmpeg(['-f', 'lavfi', '-t', String(seconds), '-i', src, '-ac', '1', '-ar', '16000', out]);
      return readFileSync(out);
    };

    it('returns empty text for silent audio, and text / srt / vtt formats', async () => {
      const silent = await client().audio.transcriptions.create({
        file: await toFile(wavOf('silence.wav', 2, 'anullsrc=r=16000:cl=mono'), 'silence.wav'),
        model: 'whisper-1',
        response_format: 'verbose_json',
        timestamp_granularities: ['word'],
      });
      expect(silent).toMatchObject({ text: '', segments: [], words: [], language: 'english' });
      expect(silent.duration).toBeCloseTo(2, 1);
      const speech = readFileSync(join(dir, 'turn-2.wav'));
      const text = await client().audio.transcriptions.create({ file: await toFile(speech, 't.wav'), model: 'x', response_format: 'text' });
      expect(String(text)).toMatch(/project/);
      const vtt = await client().audio.transcriptions.create({ file: await toFile(speech, 't.wav'), model: 'x', response_format: 'vtt' });
      expect(String(vtt)).toMatch(/^WEBVTT\n\n00:00:00\.\d{3} --> 00:00:0\d\.\d{3}\n.*project/);
      const srt = await client().audio.transcriptions.create({ file: await toFile(speech, 't.wav'), model: 'x', response_format: 'srt' });
      expect(String(srt)).toMatch(/^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\n/);
    });

    it('answers bad requests with OpenAI-shaped errors: 400, 413, 415', async () => {
      const expectApiError = async (p: Promise<unknown>, status: number, param: string | null) => {
        const err: unknown = await p.then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(APIError);
        const e = err as APIError;
        expect(e.status).toBe(status);
        expect(e.error).toMatchObject({ type: 'invalid_request_error', param });
        expect(typeof (e.error as { message?: unknown }).message).toBe('string');
      };
      const tiny = readFileSync(join(dir, 'turn-2.wav'));
      await expectApiError(
        client().audio.transcriptions.create({ file: await toFile(tiny, 't.wav'), model: '' }),
        400,
        'model',
      );
      await expectApiError(
        client().audio.transcriptions.create({ file: await toFile(Buffer.alloc(3 * 1024 * 1024, 1), 'big.wav'), model: 'whisper-1' }),
        413,
        'file',
      );
      await expectApiError(
        client().audio.transcriptions.create({ file: await toFile(Buffer.from('this is not audio at all'), 'x.mp3'), model: 'whisper-1' }),
        415,
        'file',
      );
      const res = await fetch(`${asr.baseUrl}/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    });
  });
});
