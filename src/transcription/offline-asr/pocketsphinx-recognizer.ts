import { join } from 'node:path';
import { RecbotError } from '../../common/errors';
import { runProcess } from '../run-process';
import { wavDurationSec } from '../wav-duration';
import { parsePocketsphinxOutput, type AsrSegment } from './pocketsphinx-output';

/** Audio that ffmpeg cannot decode (HTTP 415). */
export class UnsupportedAudioError extends RecbotError {
  constructor(detail: string) {
    super('UNSUPPORTED_AUDIO', `Unsupported or invalid audio file: ${detail}`);
    this.name = 'UnsupportedAudioError';
  }
}

export interface RecognizerOptions {
  ffmpegBin?: string;
  pocketsphinxBin?: string;
  /** Per-request bound for decode + recognition. */
  timeoutMs?: number;
}

/**
 * Offline speech recognition with Debian's pocketsphinx (0.8 / 5prealpha CLI `pocketsphinx_continuous`,
 * US English model): ffmpeg converts any input to 16 kHz mono WAV, then `-time yes` gives word times.
 */
export async function recognizeFile(
  inputPath: string,
  workDir: string,
  opts: RecognizerOptions = {},
): Promise<{ segments: AsrSegment[]; durationSec: number }> {
  const wav = join(workDir, 'input-16k.wav');
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const conv = await runProcess(
    opts.ffmpegBin ?? 'ffmpeg',
    ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', inputPath, '-vn', '-ac', '1', '-ar', '16000',
      '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', '-f', 'wav', '-y', wav],
    { timeoutMs },
  );
  if (conv.code !== 0) {
    const last = conv.stderr.trim().split('\n').slice(-1)[0] ?? 'decode failed';
    throw new UnsupportedAudioError(last.split(inputPath).join('file'));
  }
  const durationSec = await wavDurationSec(wav);
  if (durationSec < 0.05) return { segments: [], durationSec };
  const res = await runProcess(
    opts.pocketsphinxBin ?? 'pocketsphinx_continuous',
    ['-infile', wav, '-time', 'yes', '-logfn', '/dev/null'],
    { timeoutMs },
  );
  if (res.code !== 0) {
    throw new RecbotError('ASR_FAILED', `pocketsphinx exited with ${res.code}: ${res.stderr.slice(-500)}`, { retryable: true });
  }
  return { segments: parsePocketsphinxOutput(res.stdout), durationSec };
}
