import * as path from 'path';
import { writeFileAtomic } from '../manifest/manifest-store';
import type { CodecName, Depacketizer } from './codecs/depacketizer';
import { opusDepacketizer, opusPacketSamples } from './codecs/opus';
import { vp8Depacketizer } from './codecs/vp8';
import { vp9Depacketizer } from './codecs/vp9';
import { h264Depacketizer } from './codecs/h264';
import { av1Depacketizer } from './codecs/av1';
import type { JournalFrame, JournalSenderReport } from './journal/journal-format';
import { muxSegment, type MuxFrame } from './webm/segment-muxer';
import type { SegmentTimeline } from '../manifest/manifest.types';

const DEPACKETIZERS: Record<CodecName, Depacketizer> = {
  opus: opusDepacketizer, vp8: vp8Depacketizer, vp9: vp9Depacketizer, h264: h264Depacketizer, av1: av1Depacketizer,
};

/** Map a negotiated mime type to our codec (audio/red carries Opus). Undefined when unsupported. */
export function resolveCodec(mimeType: string): { codec: CodecName; red: boolean; depacketizer: Depacketizer } | undefined {
  const sub = mimeType.toLowerCase().split('/')[1] ?? '';
  if (sub === 'red') return { codec: 'opus', red: true, depacketizer: opusDepacketizer };
  const codec = ({ opus: 'opus', vp8: 'vp8', vp9: 'vp9', h264: 'h264', av1: 'av1' } as Record<string, CodecName | undefined>)[sub];
  return codec ? { codec, red: false, depacketizer: DEPACKETIZERS[codec] } : undefined;
}

/** `{seq:06}` */
export function seqName(seq: number): string {
  return String(seq).padStart(6, '0');
}

export interface BuiltSegment {
  bytes: Buffer;
  container: 'webm' | 'mkv';
  frames: number;
  keyframes: number;
  timeline: SegmentTimeline;
}

const U32 = 2 ** 32;

/**
 * Build a segment file from frames. Block times are the RTP timestamps (unwrapped) relative to the
 * first frame, in ms: time is never stretched or squeezed. `endRtpTimestamp` (the first frame of the
 * next segment) gives the exact duration; otherwise the last frame's own duration is estimated.
 * Timeline RTP timestamps are stored as 32-bit wire values, comparable with the SR's.
 */
export function buildSegment(
  codec: CodecName, clockRate: number, channels: number | undefined, frames: readonly JournalFrame[],
  endRtpTimestamp?: number, sr?: JournalSenderReport,
): BuiltSegment {
  const first = frames[0];
  const last = frames[frames.length - 1];
  if (!first || !last) throw new Error('empty segment');
  const t0 = first.rtpTimestamp;
  const toMs = (ts: number): number => Math.round(((ts - t0) * 1000) / clockRate);
  const mux: MuxFrame[] = frames.map((f) => ({ timeMs: toMs(f.rtpTimestamp), keyframe: f.keyframe, data: f.data }));
  let durationMs: number;
  if (endRtpTimestamp !== undefined && endRtpTimestamp > last.rtpTimestamp) durationMs = toMs(endRtpTimestamp);
  else durationMs = toMs(last.rtpTimestamp) + lastFrameMs(codec, clockRate, frames);
  const r = muxSegment({ codec, channels }, mux, durationMs);
  return {
    bytes: r.bytes, container: r.container, frames: r.frames, keyframes: r.keyframes,
    timeline: {
      firstRtpTimestamp: t0 % U32, lastRtpTimestamp: last.rtpTimestamp % U32,
      firstArrivalMs: first.arrivalFirstMs, lastArrivalMs: last.arrivalLastMs, durationMs,
      ...(sr ? { srNtpMs: sr.ntpMs, srRtpTimestamp: sr.rtpTimestamp } : {}),
    },
  };
}

function lastFrameMs(codec: CodecName, clockRate: number, frames: readonly JournalFrame[]): number {
  const last = frames[frames.length - 1] as JournalFrame;
  if (codec === 'opus') return Math.round(opusPacketSamples(last.data) / 48) || 20;
  const prev = frames[frames.length - 2];
  if (!prev) return 33;
  return Math.min(200, Math.max(1, Math.round(((last.rtpTimestamp - prev.rtpTimestamp) * 1000) / clockRate)));
}

/** Durably write a finished segment: temp file + fsync + rename + fsync of the directory. */
export async function writeSegmentFile(file: string, bytes: Buffer): Promise<void> {
  await writeFileAtomic(path.resolve(file), bytes);
}
