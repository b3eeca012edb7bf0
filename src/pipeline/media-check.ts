import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { z } from 'zod';
import { RecbotError } from '../common/errors';

const execFileAsync = promisify(execFile);

const probeSchema = z.object({
  streams: z.array(z.object({ codec_type: z.string(), codec_name: z.string().optional() }).loose()).default([]),
  format: z.object({ duration: z.string().optional(), format_name: z.string().optional() }).loose(),
});

export interface ProbeResult {
  durationMs: number;
  formatName: string;
  streams: { type: string; codec: string }[];
}

/** ffprobe a local file (JSON output, validated). */
export async function probe(ffprobePath: string, file: string): Promise<ProbeResult> {
  const { stdout } = await execFileAsync(ffprobePath, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = probeSchema.parse(JSON.parse(stdout) as unknown);
  return {
    durationMs: Math.round(Number(parsed.format.duration ?? 'NaN') * 1000),
    formatName: parsed.format.format_name ?? '',
    streams: parsed.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name ?? '' })),
  };
}

/** True when a Matroska/WebM file has a Cues element before its first Cluster (seekable, cues at front). */
export async function hasCuesAtFront(file: string, scanBytes = 4 * 1024 * 1024): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(scanBytes);
    const { bytesRead } = await fh.read(buf, 0, scanBytes, 0);
    const head = buf.subarray(0, bytesRead);
    const cues = head.indexOf(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]));
    const cluster = head.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
    return cues >= 0 && (cluster < 0 || cues < cluster);
  } finally {
    await fh.close();
  }
}

/**
 * Decode the whole file with `-v error`; returns the error lines (empty when clean). The null
 * output keeps the demuxer's time base (`-enc_time_base -1`): with ffmpeg's default (1/frame rate
 * guessed from the stream) two real frames closer than one nominal frame interval, as Chrome sends
 * under load, land on the same dts and the null muxer reports an error for a file that is fine.
 */
export async function decodeErrors(ffmpegPath: string, file: string): Promise<string[]> {
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-'];
  const { stderr } = await execFileAsync(ffmpegPath, args, {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stderr.split('\n').filter((l) => l.trim().length > 0);
}

export interface OutputExpectations {
  durationMs: number;
  toleranceMs: number;
  audio: boolean;
  videoStreams: number;
  /** Matroska/WebM outputs must be seekable. */
  cues: boolean;
  decode: boolean;
}

/**
 * Check an output before publishing: duration within tolerance, the expected streams, Cues at the
 * front, and a clean decode. Throws RecbotError `OUTPUT_INVALID` listing every problem.
 */
export async function verifyOutput(bins: { ffmpeg: string; ffprobe: string }, file: string, exp: OutputExpectations): Promise<ProbeResult> {
  const info = await probe(bins.ffprobe, file);
  const problems: string[] = [];
  if (!(Math.abs(info.durationMs - exp.durationMs) <= exp.toleranceMs)) {
    problems.push(`duration ${info.durationMs} ms, expected ${exp.durationMs} ± ${exp.toleranceMs} ms`);
  }
  const audio = info.streams.filter((s) => s.type === 'audio').length;
  const video = info.streams.filter((s) => s.type === 'video').length;
  if (exp.audio && audio < 1) problems.push('no audio stream');
  if (video < exp.videoStreams) problems.push(`${video} video stream(s), expected ${exp.videoStreams}`);
  if (exp.cues && !(await hasCuesAtFront(file))) problems.push('no Cues before the first Cluster (not seekable)');
  if (exp.decode) {
    const errs = await decodeErrors(bins.ffmpeg, file);
    if (errs.length > 0) problems.push(`decode errors: ${errs.slice(0, 5).join(' | ')}`);
  }
  if (problems.length > 0) throw new RecbotError('OUTPUT_INVALID', `${file}: ${problems.join('; ')}`, { retryable: true });
  return info;
}
