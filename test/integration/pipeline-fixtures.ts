/**
 * Test media for the pipeline tests: real VP8/Opus WebM segments made with ffmpeg, a manifest that
 * places them on a session clock, and probes that find a beep (1 kHz) and a flash (bright frame).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ManifestSegment, ManifestTrack, RecordingManifest } from '../../src/manifest/manifest.types';
import { readIvf } from '../../src/media/ivf-reader';
import { readOggOpus } from '../../src/media/ogg-opus-reader';
import { muxSegment, type MuxFrame } from '../../src/recorder/webm/segment-muxer';

const run = promisify(execFile);
export const FFMPEG = 'ffmpeg';
export const FFPROBE = 'ffprobe';

/** One recorded interval of one track, in session seconds. */
export interface Interval {
  startS: number;
  durS: number;
  /** Bot part that recorded it (default 1); a rejoin after a crash is part 2. */
  part?: number;
}

export interface SpeakerFixture {
  participantId: string;
  audio: Interval[];
  video: Interval[];
  /** Simulated network delay of first packets (ms) per track. */
  audioDelayMs: number;
  videoDelayMs: number;
  /** VP8 in WebM (default) or H264 in Matroska, as the recorder writes them. */
  videoCodec?: 'vp8' | 'h264';
  /** Who writes the segment files: ffmpeg's muxer (default) or the recorder's own segment muxer (VP8/Opus only). */
  writer?: 'ffmpeg' | 'recorder';
}

/**
 * Write a segment the way the recorder does: encode with ffmpeg to Ogg/IVF, then mux the frames
 * with the recorder's segment muxer (Opus pre-skip 0, integer ms frame times, Cues).
 */
async function encodeWithRecorderMuxer(kind: 'audio' | 'video', iv: Interval, eventS: number, file: string): Promise<void> {
  const raw = `${file}.${kind === 'audio' ? 'ogg' : 'ivf'}`;
  const args =
    kind === 'audio'
      ? ['-f', 'lavfi', '-i', audioSource(iv.startS, iv.durS, eventS), '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', raw]
      : ['-f', 'lavfi', '-i', videoSource(iv.startS, iv.durS, eventS), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', '-g', '600', '-threads', '1', '-f', 'ivf', raw];
  await run(FFMPEG, ['-v', 'error', '-y', ...args]);
  const frames: MuxFrame[] = [];
  if (kind === 'audio') {
    let samples = 0;
    for (const p of readOggOpus(readFileSync(raw))) {
      frames.push({ timeMs: Math.round(samples / 48), keyframe: true, data: p.data });
      samples += p.samples;
    }
  } else {
    const ivf = readIvf(readFileSync(raw));
    for (const f of ivf.frames) frames.push({ timeMs: Math.round((f.pts * ivf.timebaseNum * 1000) / ivf.timebaseDen), keyframe: f.keyframe, data: f.data });
  }
  const last = frames[frames.length - 1]?.timeMs ?? 0;
  writeFileSync(file, muxSegment(kind === 'audio' ? { codec: 'opus', channels: 1 } : { codec: 'vp8' }, frames, last).bytes);
  rmSync(raw, { force: true });
}

/** A quiet 300 Hz tone with a loud 1 kHz beep at `eventS` (200 ms). */
function audioSource(startS: number, durS: number, eventS: number): string {
  const t = `(t+${startS})`;
  return `aevalsrc=exprs='0.05*sin(2*PI*300*t)+if(between(${t},${eventS},${eventS}+0.2),0.8*sin(2*PI*1000*t),0)':s=48000:d=${durS}`;
}

/** Dark frames with a white flash at `eventS` (200 ms), 30 fps. */
function videoSource(startS: number, durS: number, eventS: number): string {
  return `color=c=0x303030:s=320x240:r=30:d=${durS},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t+${startS},${eventS},${eventS}+0.2)'`;
}

async function encode(kind: 'audio' | 'video', iv: Interval, eventS: number, file: string, h264: boolean): Promise<void> {
  const codec =
    kind === 'audio'
      ? ['-c:a', 'libopus', '-b:a', '32k', '-f', 'webm']
      : h264
        ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '600', '-threads', '1', '-f', 'matroska']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', '-g', '600', '-threads', '1', '-f', 'webm'];
  const src = kind === 'audio' ? audioSource(iv.startS, iv.durS, eventS) : videoSource(iv.startS, iv.durS, eventS);
  await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, ...codec, file]);
}

/** Encode every segment (2 at a time) into `dir` and build the manifest that describes them. */
export async function makeRecording(opts: {
  recordingId: string;
  dir: string;
  sessionStartMs: number;
  sessionS: number;
  eventS: number;
  speakers: SpeakerFixture[];
}): Promise<RecordingManifest> {
  const segments: ManifestSegment[] = [];
  const tracks: ManifestTrack[] = [];
  const jobs: (() => Promise<void>)[] = [];
  for (const sp of opts.speakers) {
    for (const kind of ['audio', 'video'] as const) {
      const ivs = kind === 'audio' ? sp.audio : sp.video;
      const h264 = kind === 'video' && sp.videoCodec === 'h264';
      const container = h264 ? 'mkv' : 'webm';
      if (ivs.length === 0) continue;
      tracks.push({
        trackKey: kind, participantId: sp.participantId, kind, codec: kind === 'audio' ? 'audio/opus' : h264 ? 'video/H264' : 'video/VP8',
        clockRate: kind === 'audio' ? 48000 : 90000, part: 1, startedMs: opts.sessionStartMs + (ivs[0]?.startS ?? 0) * 1000,
      });
      const dir = path.join(opts.dir, sp.participantId, kind);
      mkdirSync(dir, { recursive: true });
      ivs.forEach((iv, seq) => {
        const file = path.join(dir, `${String(seq).padStart(6, '0')}.${container}`);
        const delay = kind === 'audio' ? sp.audioDelayMs : sp.videoDelayMs;
        const first = opts.sessionStartMs + iv.startS * 1000 + delay;
        const durationMs = iv.durS * 1000 - (kind === 'audio' ? 20 : 33);
        segments.push({
          participantId: sp.participantId, trackKey: kind, seq, part: iv.part ?? 1, container, localPath: file, frames: 1, keyframes: 1,
          timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 0, firstArrivalMs: first, lastArrivalMs: first + durationMs, durationMs },
          closedMs: first + durationMs + 100,
        });
        jobs.push(() => (sp.writer === 'recorder' && !h264 ? encodeWithRecorderMuxer(kind, iv, opts.eventS, file) : encode(kind, iv, opts.eventS, file, h264)));
      });
    }
  }
  const queue = [...jobs];
  await Promise.all([0, 1].map(async () => { for (let j = queue.shift(); j; j = queue.shift()) await j(); }));
  return {
    version: 1, recordingId: opts.recordingId, roomId: 'room-1', status: 'processing',
    sessionStartMs: opts.sessionStartMs, sessionEndMs: opts.sessionStartMs + opts.sessionS * 1000,
    participants: opts.speakers.map((s) => ({ participantId: s.participantId, name: s.participantId, firstSeenMs: opts.sessionStartMs })),
    tracks, segments, gaps: [], parts: [{ part: 1, botId: 'bot-1', startedMs: opts.sessionStartMs }], outputs: [],
    statusHistory: [{ status: 'processing', atMs: opts.sessionStartMs }], webhooks: [],
  };
}

/** Cut a session span into segments of `segS` seconds. */
export function intervals(fromS: number, toS: number, segS: number): Interval[] {
  const out: Interval[] = [];
  for (let s = fromS; s < toS; s += segS) out.push({ startS: s, durS: Math.min(segS, toS - s) });
  return out;
}

async function ffmpegStderr(args: string[]): Promise<string> {
  const { stderr } = await run(FFMPEG, ['-hide_banner', '-nostdin', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stderr;
}

/** silencedetect over the (optionally band-passed) audio: [start, end] pairs in seconds. */
export async function silences(file: string, opts: { bandpassHz?: number; noiseDb: number; minS: number }): Promise<[number, number][]> {
  const bp = opts.bandpassHz ? `bandpass=f=${opts.bandpassHz}:width_type=q:w=8,` : '';
  const err = await ffmpegStderr(['-i', file, '-map', '0:a:0', '-af', `${bp}silencedetect=n=${opts.noiseDb}dB:d=${opts.minS}`, '-f', 'null', '-']);
  const starts = [...err.matchAll(/silence_start: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...err.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  return starts.map((s, i) => [s, ends[i] ?? Infinity]);
}

/** Time (s) where the 1 kHz beep starts: the end of the first band-passed silence. */
export async function beepTimeS(file: string): Promise<number> {
  const s = await silences(file, { bandpassHz: 1000, noiseDb: -40, minS: 0.05 });
  const first = s[0];
  if (!first || !Number.isFinite(first[1])) throw new Error(`no beep found in ${file}`);
  return first[1];
}

/** Time (s) of the first bright video frame (mean luma > 150). */
export async function flashTimeS(file: string): Promise<number> {
  const { stdout } = await run(
    FFMPEG,
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  let pts = NaN;
  for (const line of stdout.split('\n')) {
    const f = /pts_time:(-?[\d.]+)/.exec(line);
    if (f) pts = Number(f[1]);
    const y = /YAVG=([\d.]+)/.exec(line);
    if (y && Number(y[1]) > 150) return pts;
  }
  throw new Error(`no flash found in ${file}`);
}

/** ffprobe format duration (s) and stream codec types. */
export async function probeFile(file: string): Promise<{ durationS: number; streams: string[] }> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_type: string; codec_name: string }[] };
  return { durationS: Number(j.format.duration), streams: j.streams.map((s) => `${s.codec_type}:${s.codec_name}`) };
}
