import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BotVideoCodec } from './video-codecs';

const run = promisify(execFile);
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** Options of the VP8 test pattern. */
export interface PatternOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  bitrateKbps?: number;
  keyframeIntervalSeconds?: number;
}

function key(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** Produce `name` in `cacheDir` once: `make(tmpPath)` writes it, then it is renamed into place atomically. */
async function cached(cacheDir: string, name: string, make: (tmp: string) => Promise<void>): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const out = join(cacheDir, name);
  if (existsSync(out)) return out;
  const tmp = join(cacheDir, `.tmp-${randomUUID()}-${name}`);
  try {
    await make(tmp);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

function escapeDrawtext(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\u2019").replace(/:/g, '\\:').replace(/%/g, '\\%');
}

const OPUS_ARGS = ['-ar', '48000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-application', 'voip'];

/** Speech options: flite voice, and silence before/after the speech (for speakers taking turns). */
export interface SpeechOptions {
  voice?: string;
  leadSilenceS?: number;
  tailSilenceS?: number;
}

/** Ogg/Opus (48 kHz mono, 20 ms frames) of `sentences` spoken by flite. */
export async function ensureSpeechOpus(cacheDir: string, sentences: string[], opts: SpeechOptions = {}): Promise<string> {
  const text = sentences.join(' ');
  const lead = opts.leadSilenceS ?? 0;
  const tail = opts.tailSilenceS ?? 1;
  const voiceArgs = opts.voice ? ['-voice', opts.voice] : [];
  const filter = `adelay=${Math.round(lead * 1000)}:all=1,apad=pad_dur=${tail}`;
  return cached(cacheDir, `speech-${key(['speech', text, OPUS_ARGS, opts.voice ?? '', lead, tail])}.ogg`, async (tmp) => {
    const wav = `${tmp}.wav`;
    try {
      await run('flite', [...voiceArgs, '-t', text, '-o', wav]);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-af', filter, ...OPUS_ARGS, '-f', 'ogg', tmp]);
    } finally {
      rmSync(wav, { force: true });
    }
  });
}

/** Ogg/Opus silence of `seconds`. */
export async function ensureSilentOpus(cacheDir: string, seconds = 2, frameMs: 20 | 40 | 60 = 20): Promise<string> {
  const args = OPUS_ARGS.map((a, i) => (OPUS_ARGS[i - 1] === '-frame_duration' ? String(frameMs) : a));
  return cached(cacheDir, `silence-${key(['silence', seconds, args])}.ogg`, async (tmp) => {
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono', '-t', String(seconds), ...args, '-f', 'ogg', tmp]);
  });
}

function vp8Args(bitrateKbps: number, gop: number): string[] {
  return [
    '-c:v', 'libvpx', '-b:v', `${bitrateKbps}k`, '-g', String(gop), '-keyint_min', String(gop),
    '-deadline', 'realtime', '-cpu-used', '8', '-auto-alt-ref', '0', '-lag-in-frames', '0', '-f', 'ivf',
  ];
}

/** VP8 IVF of a moving test pattern with a visible frame counter. */
export async function ensurePatternVp8(cacheDir: string, opts: PatternOptions = {}): Promise<string> {
  const o = { width: 640, height: 360, fps: 30, seconds: 10, bitrateKbps: 500, keyframeIntervalSeconds: 2, ...opts };
  const gop = Math.max(1, Math.round(o.fps * o.keyframeIntervalSeconds));
  const text = existsSync(FONT)
    ? `,drawtext=fontfile=${FONT}:text='%{n}':x=20:y=20:fontsize=${Math.round(o.height / 8)}:fontcolor=white:box=1:boxcolor=black@0.7`
    : '';
  return cached(cacheDir, `pattern-${key(['pattern', o])}.ivf`, async (tmp) => {
    await run('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${o.width}x${o.height}:r=${o.fps}${text}`,
      '-t', String(o.seconds), ...vp8Args(o.bitrateKbps, gop), tmp,
    ]);
  });
}

/** Frame rate of the bot's REC tile (a key frame every second: every TILE_FPS frames). */
export const TILE_FPS = 5;
const TILE_KBPS = 60;

/** ffmpeg encoder arguments of the REC tile per codec: tiny, low bitrate, key frame every second, no B-frames/alt-ref. */
export function tileEncoderArgs(codec: BotVideoCodec): string[] {
  const gop = ['-b:v', `${TILE_KBPS}k`, '-g', String(TILE_FPS), '-keyint_min', String(TILE_FPS)];
  switch (codec) {
    case 'VP8':
      return vp8Args(TILE_KBPS, TILE_FPS);
    case 'VP9':
      return ['-c:v', 'libvpx-vp9', ...gop, '-deadline', 'realtime', '-cpu-used', '8', '-auto-alt-ref', '0', '-lag-in-frames', '0', '-f', 'ivf'];
    case 'AV1':
      return ['-c:v', 'libaom-av1', ...gop, '-usage', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-f', 'ivf'];
    case 'H264':
      // Constrained baseline (x264 sets constraint_set0/1 for baseline), no B-frames, every NAL unit
      // under 1000 bytes (single NAL unit packets, packetization-mode 0 or 1), SPS/PPS before every
      // IDR, access unit delimiters to split the stream.
      return [
        '-c:v', 'libx264', '-profile:v', 'baseline', '-level', '3.1', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-tune', 'zerolatency',
        ...gop, '-sc_threshold', '0', '-bf', '0', '-x264-params', 'slice-max-size=1000:aud=1:repeat-headers=1', '-f', 'h264',
      ];
  }
}

/**
 * The bot's own small video tile ("● REC — this call is recorded", 320x180, 5 fps, 60 kbps) in
 * `codec`: IVF for VP8/VP9/AV1, Annex-B for H264. Encoded once per cache directory.
 */
export async function ensureRecTile(cacheDir: string, codec: BotVideoCodec, label = '\u25CF REC \u2014 this call is recorded'): Promise<string> {
  const text = existsSync(FONT)
    ? `,drawtext=fontfile=${FONT}:text='${escapeDrawtext(label)}':x=(w-text_w)/2:y=(h-text_h)/2:fontsize=16:fontcolor=red`
    : '';
  const args = tileEncoderArgs(codec);
  const name = codec === 'VP8' ? `rectile-${key(['rectile', label])}.ivf` : `rectile-${codec.toLowerCase()}-${key(['rectile', label, args])}.${codec === 'H264' ? 'h264' : 'ivf'}`;
  return cached(cacheDir, name, async (tmp) => {
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=black:s=320x180:r=${TILE_FPS}${text}`, '-t', '4', ...args, tmp]);
  });
}

/** The VP8 REC tile (kept for callers that only send VP8). */
export function ensureRecTileVp8(cacheDir: string, label?: string): Promise<string> {
  return ensureRecTile(cacheDir, 'VP8', label);
}
