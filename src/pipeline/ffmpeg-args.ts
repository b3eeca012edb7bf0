import path from 'node:path';
import type { PlacedSegment, SpeakerPlan } from './timeline';

/** One ffmpeg invocation as data (pure builders produce it; the runner executes it). */
export interface FfmpegSpec {
  inputs: { path: string; options: string[] }[];
  filterComplex?: string;
  outputOptions: string[];
  output: string;
}

/** Flatten a spec to the argv ffmpeg receives (for logs and tests). */
export function toArgs(spec: FfmpegSpec): string[] {
  const args = ['-hide_banner', '-nostdin', '-y'];
  for (const i of spec.inputs) args.push(...i.options, '-i', i.path);
  if (spec.filterComplex) args.push('-filter_complex', spec.filterComplex);
  return [...args, ...spec.outputOptions, spec.output];
}

const sec = (ms: number) => (ms / 1000).toFixed(3);

/** Quote a path for an ffconcat `file` line. */
function concatQuote(p: string): string {
  return `'${p.replace(/'/g, "'\\''")}'`;
}

/**
 * An ffconcat script for one track: each file's `duration` is its slot on the session clock (time
 * until the next segment starts), so gaps keep their wall-clock length as a timestamp gap, and
 * `outpoint` cuts a segment that the next one overlaps. `localPath(seg)` names the local file.
 */
export function concatScript(placed: readonly PlacedSegment[], localPath: (p: PlacedSegment) => string): string {
  const lines = ['ffconcat version 1.0'];
  for (const p of placed) {
    // Absolute: ffconcat resolves a relative `file` against the script's own folder, not the cwd.
    lines.push(`file ${concatQuote(path.resolve(localPath(p)))}`);
    if (p.outpointMs !== undefined) lines.push(`outpoint ${sec(p.outpointMs)}`);
    if (p.slotMs !== undefined) lines.push(`duration ${sec(p.slotMs)}`);
  }
  return lines.join('\n') + '\n';
}

/** Input options for a track's concat script, shifted so its first segment starts at `startMs`. */
export function concatInput(script: string, startMs: number): { path: string; options: string[] } {
  return { path: script, options: ['-f', 'concat', '-safe', '0', '-itsoffset', sec(Math.max(0, startMs))] };
}

/**
 * Audio placement filter: fill timestamp gaps with silence from 0 (first_pts=0 adds the leading
 * silence before a late join; min_hard_comp=20 ms keeps drift well under 40 ms) and pad to the end.
 */
export function audioPlacementFilter(sessionMs: number): string {
  return `aresample=async=1:min_hard_comp=0.020:first_pts=0,apad=whole_dur=${sec(sessionMs)}`;
}

export interface MuxArgsOptions {
  /** Local path of each track's concat script, by trackKey. */
  scripts: Record<string, string>;
  output: string;
  audioBitrateKbps?: number;
}

/**
 * Per-speaker mux: audio re-encoded to Opus through the placement filter (cheap, exact silence);
 * video stream-copied (no quality loss) with timestamps from the session clock, so mute/loss gaps
 * are a held frame and the span before the first frame is empty. Seekable: Cues at the front.
 */
export function buildMuxSpec(plan: SpeakerPlan, opts: MuxArgsOptions): FfmpegSpec {
  const inputs: FfmpegSpec['inputs'] = [];
  const out: string[] = [];
  const filters: string[] = [];
  const script = (key: string) => {
    const s = opts.scripts[key];
    if (!s) throw new Error(`no concat script for track ${key}`);
    return s;
  };
  if (plan.audio) {
    inputs.push(concatInput(script(plan.audio.track.trackKey), plan.audio.placed[0]?.startMs ?? 0));
    filters.push(`[0:a:0]${audioPlacementFilter(plan.sessionMs)}[a]`);
    out.push('-map', '[a]', '-c:a', 'libopus', '-b:a', `${opts.audioBitrateKbps ?? 48}k`);
  }
  for (const v of plan.videos) {
    inputs.push(concatInput(script(v.track.trackKey), v.placed[0]?.startMs ?? 0));
    out.push('-map', `${inputs.length - 1}:v:0`);
  }
  if (plan.videos.length > 0) out.push('-c:v', 'copy');
  out.push('-t', sec(plan.sessionMs), '-cues_to_front', '1', '-f', plan.container === 'mkv' ? 'matroska' : 'webm');
  return { inputs, filterComplex: filters.length > 0 ? filters.join(';') : undefined, outputOptions: out, output: opts.output };
}

export interface MixInput {
  script: string;
  startMs: number;
}

/** All speakers' audio on the session clock, mixed (amix, no normalisation so levels stay true). */
export function buildMixSpec(inputs: readonly MixInput[], sessionMs: number, output: string, audioBitrateKbps = 64, grid?: GridVideo): FfmpegSpec {
  if (inputs.length === 0) throw new Error('mix needs at least one input');
  const placed = inputs.map((_, i) => `[${i}:a:0]${audioPlacementFilter(sessionMs)}[a${i}]`);
  const mix =
    inputs.length === 1
      ? '[a0]anull[m]'
      : `${inputs.map((_, i) => `[a${i}]`).join('')}amix=inputs=${inputs.length}:duration=longest:normalize=0[m]`;
  const spec: FfmpegSpec = {
    inputs: inputs.map((i) => concatInput(i.script, i.startMs)),
    filterComplex: [...placed, mix].join(';'),
    outputOptions: ['-map', '[m]', '-c:a', 'libopus', '-b:a', `${audioBitrateKbps}k`, '-t', sec(sessionMs), '-cues_to_front', '1', '-f', 'webm'],
    output,
  };
  if (!grid || grid.videos.length === 0) return spec;
  const { fps, tileWidth: w, tileHeight: h } = grid;
  const first = spec.inputs.length;
  const tiles = grid.videos.map((_, i) => {
    // Each speaker on a black tile for the whole session: black before the first frame and after
    // the last, the last frame held through gaps (fps duplicates across a timestamp gap).
    const bg = `color=c=black:s=${w}x${h}:r=${fps}:d=${sec(sessionMs)}[bg${i}]`;
    const v = `[${first + i}:v:0]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps}[s${i}]`;
    return `${bg};${v};[bg${i}][s${i}]overlay=eof_action=pass[t${i}]`;
  });
  const { layout } = gridLayout(grid.videos.length, w, h);
  const stack = grid.videos.length === 1
    ? '[t0]format=yuv420p[v]'
    : `${grid.videos.map((_, i) => `[t${i}]`).join('')}xstack=inputs=${grid.videos.length}:layout=${layout}:fill=black,format=yuv420p[v]`;
  return {
    inputs: [...spec.inputs, ...grid.videos.map((v) => concatInput(v.script, v.startMs))],
    filterComplex: [spec.filterComplex, ...tiles, stack].join(';'),
    outputOptions: [
      '-map', '[m]', '-map', '[v]', '-c:a', 'libopus', '-b:a', `${audioBitrateKbps}k`,
      '-c:v', 'libvpx', '-b:v', `${grid.bitrateKbps}k`, '-deadline', 'realtime', '-cpu-used', '8', '-auto-alt-ref', '0', '-g', String(fps * 2),
      '-t', sec(sessionMs), '-cues_to_front', '1', '-f', 'webm',
    ],
    output,
  };
}

/** The speakers' camera tracks for the mix's optional grid video (MIX_VIDEO=grid). */
export interface GridVideo {
  videos: MixInput[];
  fps: number;
  tileWidth: number;
  tileHeight: number;
  bitrateKbps: number;
}

/** A near-square grid for `n` tiles of w x h: columns, rows and the xstack layout (pixel offsets). */
export function gridLayout(n: number, w: number, h: number): { cols: number; rows: number; layout: string } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  const rows = Math.max(1, Math.ceil(n / cols));
  const layout = Array.from({ length: n }, (_, i) => `${(i % cols) * w}_${Math.floor(i / cols) * h}`).join('|');
  return { cols, rows, layout };
}

/**
 * Optional MP4 (H.264/AAC, faststart) from a muxed speaker file: constant frame rate so gaps
 * become repeated (held) frames, which MP4 players handle better than timestamp gaps.
 */
export function buildMp4Spec(input: string, output: string, opts: { fps?: number; hasVideo: boolean }): FfmpegSpec {
  const video = opts.hasVideo
    ? ['-map', '0:v:0', '-vf', `fps=${opts.fps ?? 30}`, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p']
    : [];
  return {
    inputs: [{ path: input, options: [] }],
    outputOptions: [...video, '-map', '0:a:0?', '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', '-f', 'mp4'],
    output,
  };
}
