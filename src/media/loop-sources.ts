import { readFileSync } from 'node:fs';
import { readIvf } from './ivf-reader';
import { readOggOpus } from './ogg-opus-reader';
import type { LoopSource, MediaUnit } from './paced-rtp-sender';
import { packetizeVp8 } from './rtp-packetizer';

/** Build a loopable audio source from an Ogg/Opus file (RTP clock 48 kHz). */
export function opusLoopSource(oggPath: string): LoopSource {
  const packets = readOggOpus(readFileSync(oggPath));
  if (packets.length === 0) throw new Error(`no Opus packets in ${oggPath}`);
  const units: MediaUnit[] = packets.map((p) => ({ payloads: [p.data], durationTicks: p.samples, keyframe: true }));
  return { kind: 'audio', clockRate: 48_000, units };
}

/** Build a loopable VP8 source from an IVF file (RTP clock 90 kHz); picture ids count per sent frame. */
export function vp8LoopSource(ivfPath: string): LoopSource {
  const ivf = readIvf(readFileSync(ivfPath));
  if (ivf.fourcc !== 'VP80') throw new Error(`${ivfPath}: not VP8 (${ivf.fourcc})`);
  const ticksPerPts = (90_000 * ivf.timebaseNum) / ivf.timebaseDen;
  const frames = ivf.frames;
  if (frames.length === 0) throw new Error(`no frames in ${ivfPath}`);
  const avg = frames.length > 1 ? ((frames.at(-1)!.pts - frames[0]!.pts) / (frames.length - 1)) * ticksPerPts : 3000;
  const units: MediaUnit[] = frames.map((f, i) => {
    const next = frames[i + 1];
    const d = next ? Math.round((next.pts - f.pts) * ticksPerPts) : Math.round(avg);
    return { payloads: [f.data], durationTicks: d > 0 ? d : Math.round(avg), keyframe: f.keyframe };
  });
  return {
    kind: 'video',
    clockRate: 90_000,
    units,
    packetize: (unit, n) => packetizeVp8(unit.payloads[0] as Buffer, n),
  };
}
