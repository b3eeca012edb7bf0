import ffmpeg from 'fluent-ffmpeg';
import { RecbotError } from '../common/errors';
import type { Logger } from '../common/logger';
import { toArgs, type FfmpegSpec } from './ffmpeg-args';

export interface FfmpegRunnerOptions {
  ffmpegPath: string;
  /** Kill ffmpeg after this long (ms). */
  timeoutMs: number;
  log?: Logger;
}

/**
 * Run one {@link FfmpegSpec} through fluent-ffmpeg (system ffmpeg). Failures are RecbotError
 * `FFMPEG_FAILED` (retryable: disk/memory pressure is transient more often than not) with the
 * tail of stderr.
 */
export function runFfmpeg(spec: FfmpegSpec, opts: FfmpegRunnerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg({ timeout: Math.ceil(opts.timeoutMs / 1000), logger: undefined });
    cmd.setFfmpegPath(opts.ffmpegPath);
    for (const input of spec.inputs) cmd.input(input.path).inputOptions(input.options);
    if (spec.filterComplex) cmd.complexFilter(spec.filterComplex);
    cmd.outputOptions(['-hide_banner', '-nostdin', ...spec.outputOptions]).output(spec.output);
    const started = Date.now();
    cmd.on('start', () => opts.log?.debug({ args: toArgs(spec) }, 'ffmpeg start'));
    cmd.on('end', () => {
      opts.log?.debug({ ms: Date.now() - started, output: spec.output }, 'ffmpeg done');
      resolve();
    });
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      const tail = (stderr ?? '').split('\n').slice(-12).join('\n');
      reject(new RecbotError('FFMPEG_FAILED', `ffmpeg failed: ${err.message}\n${tail}`, { retryable: true, cause: err }));
    });
    cmd.run();
  });
}
