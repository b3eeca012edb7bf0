import type { ManifestSegment, ManifestTrack, RecordingManifest } from '../manifest/manifest.types';
import { buildMixSpec, buildMuxSpec, concatScript, gridLayout, toArgs } from './ffmpeg-args';
import { storageKeys } from '../storage/storage-keys';
import { placeTrack, planSpeaker, rtpDiff, senderClockOffsetMs, sessionLengthMs, speakerContainer } from './timeline';

const T0 = 1_700_000_000_000;
const track = (participantId: string, kind: 'audio' | 'video', codec = kind === 'audio' ? 'audio/opus' : 'video/VP8'): ManifestTrack => ({
  trackKey: kind, participantId, kind, codec, clockRate: kind === 'audio' ? 48000 : 90000, part: 0, startedMs: T0,
});
const rtpAt = (trackKey: string, ms: number): number => Math.round((ms * (trackKey.startsWith('audio') ? 48 : 90)) % 0x1_0000_0000);
const seg = (participantId: string, trackKey: string, seq: number, startMs: number, durationMs: number, extra: Partial<ManifestSegment['timeline']> = {}): ManifestSegment => ({
  participantId, trackKey, seq, part: 0, container: 'webm', frames: 1, keyframes: 1, closedMs: T0 + startMs + durationMs,
  localPath: `/spool/${participantId}/${trackKey}/${seq}.webm`,
  // RTP time runs with wall time (as senders do, also across a mute), 20 ms before the segment's end.
  timeline: { firstRtpTimestamp: rtpAt(trackKey, startMs), lastRtpTimestamp: rtpAt(trackKey, startMs + durationMs - 20), firstArrivalMs: T0 + startMs, lastArrivalMs: T0 + startMs + durationMs, durationMs, ...extra },
});
const manifest = (segments: ManifestSegment[], tracks: ManifestTrack[], endMs?: number): RecordingManifest => ({
  version: 1, recordingId: 'r', roomId: 'room', status: 'processing', sessionStartMs: T0, sessionEndMs: endMs === undefined ? undefined : T0 + endMs,
  participants: [], tracks, segments, gaps: [], parts: [], outputs: [], statusHistory: [], webhooks: [],
});

describe('timeline', () => {
  it('places segments of one RTP run by RTP time, not by their jittered arrivals', () => {
    // Media is 5 s per segment; arrivals of segment starts are late by 0, 280 and 120 ms (event-loop / network jitter).
    const segs = [0, 1, 2].map((i) => {
      const s = seg('a', 'audio', i, i * 5000, 5000);
      const late = [0, 280, 120][i] as number;
      return { ...s, timeline: { ...s.timeline, firstArrivalMs: s.timeline.firstArrivalMs + late } };
    });
    const placed = placeTrack(segs, track('a', 'audio'), T0);
    expect(placed.map((p) => p.startMs)).toEqual([0, 5000, 10000]);
    expect(placed.every((p) => p.outpointMs === undefined)).toBe(true);
  });

  it('ignores sender reports that disagree with the RTP clock (uses arrivals instead)', () => {
    const a = [0, 1].map((i) => seg('a', 'audio', i, 1000 + i * 5000, 5000));
    // SR mapping off by 280 ms between the two segments: not trusted.
    a[0]!.timeline = { ...a[0]!.timeline, srNtpMs: 50_000, srRtpTimestamp: a[0]!.timeline.firstRtpTimestamp };
    a[1]!.timeline = { ...a[1]!.timeline, srNtpMs: 55_280, srRtpTimestamp: a[1]!.timeline.firstRtpTimestamp };
    expect(senderClockOffsetMs(a, [track('a', 'audio')])).toBeUndefined();
    const placed = placeTrack(a, track('a', 'audio'), T0, senderClockOffsetMs(a, [track('a', 'audio')]));
    expect(placed.map((p) => p.startMs)).toEqual([1000, 6000]);
  });

  it('places a late joiner at its wall time and keeps a mute gap as a gap', () => {
    const segs = [seg('a', 'audio', 0, 180_000, 10_000), seg('a', 'audio', 1, 190_000, 10_000), seg('a', 'audio', 2, 220_000, 10_000)];
    const placed = placeTrack(segs, track('a', 'audio'), T0);
    expect(placed.map((p) => p.startMs)).toEqual([180_000, 190_000, 220_000]);
    expect(placed.map((p) => p.slotMs)).toEqual([10_000, 30_000, undefined]);
    expect(placed.every((p) => p.outpointMs === undefined)).toBe(true);
  });
  it('cuts an overlapping segment and drops duplicates', () => {
    const segs = [seg('a', 'audio', 0, 0, 10_000), seg('a', 'audio', 0, 0, 10_000), seg('a', 'audio', 1, 9_000, 10_000)];
    const placed = placeTrack(segs, track('a', 'audio'), T0);
    expect(placed).toHaveLength(2);
    expect(placed[0]).toMatchObject({ slotMs: 9_000, outpointMs: 9_000 });
  });
  it('uses the RTCP SR mapping with one offset per participant (lip sync over arrival)', () => {
    // audio arrives 50 ms after its sender time, video 120 ms after: SR places both at sender time + median offset
    const a = seg('a', 'audio', 0, 1_050, 5_000, { firstRtpTimestamp: 48_000, srNtpMs: 5_000_000, srRtpTimestamp: 0 });
    const v = seg('a', 'video', 0, 1_120, 5_000, { firstRtpTimestamp: 90_000, srNtpMs: 5_000_000, srRtpTimestamp: 0 });
    // sender clock: both first frames at 5_001_000 -> the same session time
    const off = senderClockOffsetMs([a, v], [track('a', 'audio'), track('a', 'video')]);
    expect(off).toBeDefined();
    const pa = placeTrack([a], track('a', 'audio'), T0, off)[0]!;
    const pv = placeTrack([v], track('a', 'video'), T0, off)[0]!;
    expect(pa.startMs).toBe(pv.startMs);
  });
  it('handles RTP timestamp wrap', () => {
    expect(rtpDiff(10, 0xffff_fff0)).toBe(26);
    expect(rtpDiff(0xffff_fff0, 10)).toBe(-26);
  });
  it('session length, container and plan', () => {
    const m = manifest([seg('a', 'audio', 0, 0, 1000), seg('a', 'video', 0, 0, 1000)], [track('a', 'audio'), track('a', 'video', 'video/H264')], 5000);
    expect(sessionLengthMs(m)).toBe(5000);
    expect(speakerContainer(m, 'a')).toBe('mkv');
    const plan = planSpeaker(m, 'a');
    expect(plan.audio?.placed).toHaveLength(1);
    expect(plan.videos).toHaveLength(1);
    expect(sessionLengthMs({ ...m, sessionEndMs: undefined })).toBe(1000);
  });
});

describe('ffmpeg args', () => {
  const m = manifest(
    [seg('a', 'audio', 0, 3000, 4000), seg('a', 'audio', 1, 27_000, 3000), seg('a', 'video', 0, 3010, 4000)],
    [track('a', 'audio'), track('a', 'video')],
    30_000,
  );
  const plan = planSpeaker(m, 'a');
  it('writes an ffconcat script with slot durations', () => {
    const s = concatScript(plan.audio!.placed, (p) => p.segment.localPath!);
    expect(s).toBe("ffconcat version 1.0\nfile '/spool/a/audio/0.webm'\nduration 24.000\nfile '/spool/a/audio/1.webm'\n");
    expect(concatScript(plan.audio!.placed.slice(0, 1), () => "/x/it's.webm")).toContain("file '/x/it'\\''s.webm'");
  });
  it('muxes with audio placement filter, video copy, cues at front', () => {
    const args = toArgs(buildMuxSpec(plan, { scripts: { audio: '/w/a.ffconcat', video: '/w/v.ffconcat' }, output: '/w/out.webm' }));
    expect(args.join(' ')).toContain('-f concat -safe 0 -itsoffset 3.000 -i /w/a.ffconcat');
    expect(args.join(' ')).toContain('-itsoffset 3.010 -i /w/v.ffconcat');
    expect(args).toEqual(expect.arrayContaining(['-c:v', 'copy', '-c:a', 'libopus', '-cues_to_front', '1']));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:a:0]aresample=async=1:min_hard_comp=0.020:first_pts=0,apad=whole_dur=30.000[a]');
    expect(args.slice(-7)).toEqual(['-t', '30.000', '-cues_to_front', '1', '-f', 'webm', '/w/out.webm']);
    expect(args[args.length - 1]).toBe('/w/out.webm');
  });
  it('mixes N speakers with amix', () => {
    const spec = buildMixSpec([{ script: '/a', startMs: 0 }, { script: '/b', startMs: 1500 }], 30_000, '/w/mix.webm');
    expect(spec.filterComplex).toContain('[a0][a1]amix=inputs=2:duration=longest:normalize=0[m]');
    expect(spec.inputs[1]?.options).toContain('1.500');
    expect(() => buildMixSpec([], 1, '/x')).toThrow();
  });
  it('keys', () => {
    expect(storageKeys.segment('r', 'p', 'audio', 7)).toBe('recordings/r/segments/p/audio/000007.webm');
    expect(storageKeys.speaker('r', 'p', 'mkv')).toBe('recordings/r/speakers/p.mkv');
    expect(storageKeys.speaker('r', 'p', 'mp4')).toBe('recordings/r/speakers/p.mp4');
    expect(storageKeys.segment('r', 'p', 'video', 3, 'mkv')).toBe('recordings/r/segments/p/video/000003.mkv');
    expect(storageKeys.jobFindings('r', 'mux-p')).toBe('recordings/r/findings/mux-p.json');
    expect(() => storageKeys.speaker('r', 'p', 'exe' as never)).toThrow(/container/);
  });
});

describe('gridLayout', () => {
  it('places n tiles in a near-square grid, row by row', () => {
    expect(gridLayout(1, 640, 360)).toEqual({ cols: 1, rows: 1, layout: '0_0' });
    expect(gridLayout(2, 640, 360)).toEqual({ cols: 2, rows: 1, layout: '0_0|640_0' });
    expect(gridLayout(3, 320, 180)).toEqual({ cols: 2, rows: 2, layout: '0_0|320_0|0_180' });
    expect(gridLayout(5, 10, 10).layout).toBe('0_0|10_0|20_0|0_10|10_10');
  });
});
