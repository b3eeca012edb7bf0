import { stat } from 'node:fs/promises';
import { RecbotError } from '../common/errors';
import { parseSilenceDetect, type Silence } from './chunk-plan';
import { runProcess } from './run-process';
import { wavDurationSec } from './wav-duration';

/** Binaries and limits for the ffmpeg steps. */
export interface AudioToolOptions {
  ffmpegBin: string;
  ffprobeBin: string;
  timeoutMs: number;
}

/** Chunks are sent as Opus in Ogg at this bitrate (accepted by OpenAI, small, good for speech). */
export const CHUNK_BITRATE_BPS = 32_000;

/** ffmpeg args that encode [start, start+dur) of a WAV to mono 16 kHz Opus/Ogg. Pure. */
export function chunkEncodeArgs(wav: string, startSec: number, durSec: number, out: string): string[] {
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', '-ss', startSec.toFixed(3), '-t', durSec.toFixed(3), '-i', wav,
    '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', String(CHUNK_BITRATE_BPS), '-application', 'voip',
    '-map_metadata', '-1', '-f', 'ogg', '-y', out];
}

/** Longest chunk (s) whose Opus/Ogg encoding stays under `maxBytes` with a 25% margin. Pure. */
export function maxChunkSecForBytes(maxBytes: number): number {
  return Math.floor((maxBytes * 0.75) / (CHUNK_BITRATE_BPS / 8));
}

/** Start time of the input's media (s), e.g. a WebM whose first packet is not at 0. */
export async function probeStartSec(input: string, o: AudioToolOptions): Promise<number> {
  const r = await runProcess(o.ffprobeBin, ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', input], {
    timeoutMs: o.timeoutMs,
  });
  if (r.code !== 0) throw new RecbotError('TRANSCRIBE_BAD_INPUT', `ffprobe cannot read the speaker audio: ${r.stderr.trim().slice(-300)}`);
  const v = Number(r.stdout.trim());
  return Number.isFinite(v) ? v : 0;
}

/** Decode the speaker file's audio to 16 kHz mono PCM WAV; returns its duration (s). */
export async function decodeToWav(input: string, wav: string, o: AudioToolOptions): Promise<number> {
  const r = await runProcess(o.ffmpegBin, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', input, '-vn', '-ac', '1', '-ar', '16000',
    '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', '-f', 'wav', '-y', wav], { timeoutMs: o.timeoutMs });
  if (r.code !== 0) throw new RecbotError('TRANSCRIBE_BAD_INPUT', `ffmpeg cannot decode the speaker audio: ${r.stderr.trim().slice(-300)}`);
  return wavDurationSec(wav);
}

/** Find silences with ffmpeg's silencedetect. */
export async function detectSilences(
  wav: string,
  durationSec: number,
  o: AudioToolOptions & { noiseDb: number; minSilenceSec: number },
): Promise<Silence[]> {
  const r = await runProcess(o.ffmpegBin, ['-nostdin', '-hide_banner', '-i', wav, '-af',
    `silencedetect=noise=${o.noiseDb}dB:d=${o.minSilenceSec}`, '-f', 'null', '-'], { timeoutMs: o.timeoutMs });
  if (r.code !== 0) throw new RecbotError('TRANSCRIBE_BAD_INPUT', `silencedetect failed: ${r.stderr.trim().slice(-300)}`);
  return parseSilenceDetect(r.stderr, durationSec);
}

/** Encode one chunk; returns its size in bytes. */
export async function encodeChunk(wav: string, startSec: number, durSec: number, out: string, o: AudioToolOptions): Promise<number> {
  const r = await runProcess(o.ffmpegBin, chunkEncodeArgs(wav, startSec, durSec, out), { timeoutMs: o.timeoutMs });
  if (r.code !== 0) throw new RecbotError('TRANSCRIBE_ENCODE_FAILED', `chunk encode failed: ${r.stderr.trim().slice(-300)}`, { retryable: true });
  return (await stat(out)).size;
}
