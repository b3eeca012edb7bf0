import { element, floatEl, ID, stringEl, uintEl } from './ebml';
import type { CodecName } from '../codecs/depacketizer';
import { annexBToAvcc, avcDecoderConfig } from '../codecs/h264';
import { av1SequenceHeader } from '../codecs/av1';
import { keyframeDimensions } from '../codecs/dimensions';

/** One frame to write: time in ms from the segment start (integer), as produced by the depacketizer. */
export interface MuxFrame {
  timeMs: number;
  keyframe: boolean;
  data: Buffer;
}

export interface MuxTrackInfo {
  codec: CodecName;
  /** Audio only. */
  channels?: number;
}

export interface MuxResult {
  bytes: Buffer;
  container: 'webm' | 'mkv';
  frames: number;
  keyframes: number;
}

const CODEC_IDS: Record<CodecName, string> = {
  opus: 'A_OPUS',
  vp8: 'V_VP8',
  vp9: 'V_VP9',
  av1: 'V_AV1',
  h264: 'V_MPEG4/ISO/AVC',
};
const MAX_CLUSTER_SPAN_MS = 30_000; // SimpleBlock timecodes are int16 relative to the cluster
const AUDIO_CLUSTER_MS = 1000; // audio: one cluster (and cue) per second for fine seeking

/** The container a codec is written in: WebM where the codec is allowed, Matroska (.mkv) for H.264. */
export function containerFor(codec: CodecName): 'webm' | 'mkv' {
  return codec === 'h264' ? 'mkv' : 'webm';
}

function opusHead(channels: number): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'ascii');
  b[8] = 1;
  b[9] = channels;
  b.writeUInt16LE(0, 10); // pre-skip 0: RTP timestamps already are presentation times
  b.writeUInt32LE(48000, 12);
  return b;
}

function av1Config(keyframe: Buffer): Buffer | undefined {
  const sh = av1SequenceHeader(keyframe);
  if (!sh || sh.payload.length < 2) return undefined;
  const b0 = sh.payload[0] as number;
  const profile = b0 >> 5;
  const reduced = (b0 >> 3) & 1;
  // reduced: seq_level_idx[0] follows directly; else (no timing info, as WebRTC encoders send)
  // initial_display_delay_present(1), operating_points_cnt_minus_1(5), idc(12), seq_level_idx(5).
  let level = 0;
  const bits = sh.payload.readUInt32BE(0) * 2 ** 8 + (sh.payload.length > 4 ? (sh.payload[4] as number) : 0);
  const bit = (pos: number, n: number): number => Math.floor(bits / 2 ** (40 - pos - n)) % 2 ** n;
  if (reduced) level = bit(5, 5);
  else if (!bit(5, 1)) level = bit(24, 5);
  const head = Buffer.from([0x81, (profile << 5) | level, 0x0c, 0]);
  return Buffer.concat([head, sh.obu]);
}

function trackEntry(info: MuxTrackInfo, firstKey: Buffer | undefined): Buffer {
  const kids: Buffer[] = [uintEl(ID.TrackNumber, 1), uintEl(ID.TrackUID, 1), uintEl(ID.FlagLacing, 0), stringEl(ID.CodecID, CODEC_IDS[info.codec])];
  if (info.codec === 'opus') {
    const ch = info.channels ?? 2;
    kids.push(uintEl(ID.TrackType, 2), element(ID.CodecPrivate, opusHead(ch)), uintEl(ID.CodecDelay, 0), uintEl(ID.SeekPreRoll, 80_000_000));
    kids.push(element(ID.Audio, [floatEl(ID.SamplingFrequency, 48000), uintEl(ID.Channels, ch)]));
    return element(ID.TrackEntry, kids);
  }
  kids.push(uintEl(ID.TrackType, 1));
  let priv: Buffer | undefined;
  if (firstKey && info.codec === 'h264') priv = avcDecoderConfig(firstKey);
  if (firstKey && info.codec === 'av1') priv = av1Config(firstKey);
  if (priv) kids.push(element(ID.CodecPrivate, priv));
  const dims = firstKey ? keyframeDimensions(info.codec, firstKey) : undefined;
  if (dims) kids.push(element(ID.Video, [uintEl(ID.PixelWidth, dims.width), uintEl(ID.PixelHeight, dims.height)]));
  return element(ID.TrackEntry, kids);
}

function simpleBlock(rel: number, key: boolean, data: Buffer): Buffer[] {
  const head = Buffer.alloc(4);
  head[0] = 0x81; // track number 1 as a vint
  head.writeInt16BE(rel, 1);
  head[3] = key ? 0x80 : 0;
  const size = 4 + data.length;
  return [Buffer.from([ID.SimpleBlock]), vintSizeOf(size), head, data];
}

function vintSizeOf(size: number): Buffer {
  // Inline copy of ebml.vintSize's fast path for the common case (<= 2^28).
  if (size < 0x7f) return Buffer.from([0x80 | size]);
  if (size < 0x3fff) return Buffer.from([0x40 | (size >> 8), size & 0xff]);
  if (size < 0x1fffff) return Buffer.from([0x20 | (size >> 16), (size >> 8) & 0xff, size & 0xff]);
  return Buffer.from([0x10 | (size >>> 24), (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff]);
}

/**
 * Build a complete, seekable Matroska/WebM file (SeekHead, Info with Duration, Tracks, Clusters,
 * Cues) from frames. Video must start with a key frame; H.264 frames (Annex B) are stored as AVCC.
 */
export function muxSegment(info: MuxTrackInfo, frames: readonly MuxFrame[], durationMs: number): MuxResult {
  const container = containerFor(info.codec);
  const isAudio = info.codec === 'opus';
  const firstKey = frames.find((f) => f.keyframe)?.data;
  const clusters: Buffer[] = [];
  const cueTimes: number[] = [];
  const cueOffsets: number[] = [];
  let clusterOffset = 0;
  let cur: Buffer[] | null = null;
  let curStart = 0;
  let keyframes = 0;
  const closeCluster = (): void => {
    if (!cur) return;
    const c = element(ID.Cluster, cur);
    clusters.push(c);
    clusterOffset += c.length;
    cur = null;
  };
  for (const f of frames) {
    if (f.keyframe) keyframes++;
    const startNew = !cur || (isAudio ? f.timeMs - curStart >= AUDIO_CLUSTER_MS : f.keyframe) || f.timeMs - curStart >= MAX_CLUSTER_SPAN_MS;
    if (startNew) {
      closeCluster();
      curStart = f.timeMs;
      cur = [uintEl(ID.Timecode, f.timeMs)];
      if (isAudio || f.keyframe) {
        cueTimes.push(f.timeMs);
        cueOffsets.push(clusterOffset);
      }
    }
    const data = info.codec === 'h264' ? annexBToAvcc(f.data) : f.data;
    (cur as Buffer[]).push(...simpleBlock(f.timeMs - curStart, f.keyframe, data));
  }
  closeCluster();

  const ebml = element(ID.EBML, [
    uintEl(ID.EBMLVersion, 1), uintEl(ID.EBMLReadVersion, 1), uintEl(ID.EBMLMaxIDLength, 4), uintEl(ID.EBMLMaxSizeLength, 8),
    stringEl(ID.DocType, container === 'webm' ? 'webm' : 'matroska'), uintEl(ID.DocTypeVersion, 4), uintEl(ID.DocTypeReadVersion, 2),
  ]);
  const infoEl = element(ID.Info, [uintEl(ID.TimecodeScale, 1_000_000), stringEl(ID.MuxingApp, 'recbot'), stringEl(ID.WritingApp, 'recbot'), floatEl(ID.Duration, durationMs)]);
  const tracks = element(ID.Tracks, [trackEntry(info, firstKey)]);
  const seek = (id: number, pos: number): Buffer => element(ID.Seek, [element(ID.SeekID, uintBytes(id)), uintEl(ID.SeekPosition, pos, 8)]);
  // SeekPosition has a fixed width, so the SeekHead size does not depend on the positions.
  const seekHeadLen = element(ID.SeekHead, [seek(ID.Info, 0), seek(ID.Tracks, 0), seek(ID.Cues, 0)]).length;
  const clustersStart = seekHeadLen + infoEl.length + tracks.length;
  const clustersLen = clusterOffset;
  const cues = element(ID.Cues, cueTimes.map((t, i) => element(ID.CuePoint, [
    uintEl(ID.CueTime, t),
    element(ID.CueTrackPositions, [uintEl(ID.CueTrack, 1), uintEl(ID.CueClusterPosition, clustersStart + (cueOffsets[i] as number))]),
  ])));
  const seekHead = element(ID.SeekHead, [seek(ID.Info, seekHeadLen), seek(ID.Tracks, seekHeadLen + infoEl.length), seek(ID.Cues, clustersStart + clustersLen)]);
  const segment = element(ID.Segment, [seekHead, infoEl, tracks, ...clusters, cues]);
  return { bytes: Buffer.concat([ebml, segment]), container, frames: frames.length, keyframes };
}

function uintBytes(id: number): Buffer {
  const n = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const b = Buffer.alloc(n);
  b.writeUIntBE(id, 0, n);
  return b;
}
