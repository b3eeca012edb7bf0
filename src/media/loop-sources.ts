import { readFileSync } from 'node:fs';
import { readH264AccessUnits } from './annexb-reader';
import { readIvf, type IvfFile } from './ivf-reader';
import { readOggOpus } from './ogg-opus-reader';
import type { LoopSource, MediaUnit } from './paced-rtp-sender';
import { packetizeAv1, packetizeH264SingleNal, packetizeVp8, packetizeVp9 } from './rtp-packetizer';

/** Build a loopable audio source from an Ogg/Opus file (RTP clock 48 kHz). */
export function opusLoopSource(oggPath: string): LoopSource {
  const packets = readOggOpus(readFileSync(oggPath));
  if (packets.length === 0) throw new Error(`no Opus packets in ${oggPath}`);
  const units: MediaUnit[] = packets.map((p) => ({ payloads: [p.data], durationTicks: p.samples, keyframe: true }));
  return { kind: 'audio', clockRate: 48_000, units };
}

/** Per-frame durations in 90 kHz ticks from IVF pts (the last frame gets the average). */
function ivfDurations(ivf: IvfFile, path: string): number[] {
  const ticksPerPts = (90_000 * ivf.timebaseNum) / ivf.timebaseDen;
  const frames = ivf.frames;
  if (frames.length === 0) throw new Error(`no frames in ${path}`);
  const avg = frames.length > 1 ? ((frames.at(-1)!.pts - frames[0]!.pts) / (frames.length - 1)) * ticksPerPts : 3000;
  return frames.map((f, i) => {
    const next = frames[i + 1];
    const d = next ? Math.round((next.pts - f.pts) * ticksPerPts) : Math.round(avg);
    return d > 0 ? d : Math.round(avg);
  });
}

function readIvfOf(path: string, fourcc: string): IvfFile {
  const ivf = readIvf(readFileSync(path));
  if (ivf.fourcc !== fourcc) throw new Error(`${path}: not ${fourcc} (${ivf.fourcc})`);
  return ivf;
}

/** Build a loopable VP8 source from an IVF file (RTP clock 90 kHz); picture ids count per sent frame. */
export function vp8LoopSource(ivfPath: string): LoopSource {
  const ivf = readIvfOf(ivfPath, 'VP80');
  const d = ivfDurations(ivf, ivfPath);
  const units: MediaUnit[] = ivf.frames.map((f, i) => ({ payloads: [f.data], durationTicks: d[i]!, keyframe: f.keyframe }));
  return {
    kind: 'video',
    clockRate: 90_000,
    units,
    packetize: (unit, n) => packetizeVp8(unit.payloads[0] as Buffer, n),
  };
}

/** VP9 uncompressed header: frame_marker, profile (0-2 here), show_existing_frame, frame_type (0 = key). */
export function isVp9Keyframe(frame: Buffer): boolean {
  const b = frame[0] ?? 0;
  if (b >> 6 !== 2) return false;
  const profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
  const shift = profile === 3 ? 1 : 0;
  const showExisting = (b >> (3 - shift)) & 1;
  return showExisting === 0 && ((b >> (2 - shift)) & 1) === 0;
}

/** Build a loopable VP9 source from an IVF file (payloads packetized once). */
export function vp9LoopSource(ivfPath: string): LoopSource {
  const ivf = readIvfOf(ivfPath, 'VP90');
  const d = ivfDurations(ivf, ivfPath);
  const units = ivf.frames.map((f, i) => {
    const keyframe = isVp9Keyframe(f.data);
    return { payloads: packetizeVp9(f.data, keyframe), durationTicks: d[i]!, keyframe };
  });
  return { kind: 'video', clockRate: 90_000, units };
}

/** Whether an AV1 temporal unit (OBUs with size fields) carries a sequence header (our encoder: key frames only). */
export function av1HasSequenceHeader(tu: Buffer): boolean {
  let pos = 0;
  while (pos < tu.length) {
    const h = tu[pos] ?? 0;
    const type = (h >> 3) & 0x0f;
    if (type === 1) return true;
    if (!(h & 0x02)) return false; // no size field: the rest is this OBU
    pos += h & 0x04 ? 2 : 1;
    let size = 0;
    for (let i = 0; i < 8 && pos < tu.length; i++) {
      const byte = tu[pos++] ?? 0;
      size += (byte & 0x7f) * 2 ** (7 * i);
      if (!(byte & 0x80)) break;
    }
    pos += size;
  }
  return false;
}

/** Build a loopable AV1 source from an IVF file (payloads packetized once). */
export function av1LoopSource(ivfPath: string): LoopSource {
  const ivf = readIvfOf(ivfPath, 'AV01');
  const d = ivfDurations(ivf, ivfPath);
  const units = ivf.frames.map((f, i) => {
    const keyframe = av1HasSequenceHeader(f.data);
    return { payloads: packetizeAv1(f.data, keyframe), durationTicks: d[i]!, keyframe };
  });
  return { kind: 'video', clockRate: 90_000, units };
}

/** Build a loopable H.264 source from an Annex-B stream with access unit delimiters at `fps`. */
export function h264LoopSource(annexBPath: string, fps: number): LoopSource {
  const aus = readH264AccessUnits(readFileSync(annexBPath));
  if (aus.length === 0) throw new Error(`no access units in ${annexBPath}`);
  const durationTicks = Math.round(90_000 / fps);
  const units = aus.map((au) => ({ payloads: packetizeH264SingleNal(au.nals), durationTicks, keyframe: au.keyframe }));
  return { kind: 'video', clockRate: 90_000, units };
}
