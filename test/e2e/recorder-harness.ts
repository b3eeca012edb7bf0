/**
 * Shared harness of the recorder e2e tests (test/e2e/recorder-*.test.ts): the whole service on a
 * fresh WORK_DIR, Chromium participants, segment checks with the real ffmpeg/ffprobe.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startService, type RunningService } from '../../src/app/bootstrap';
import type { ManifestSegment, RecordingManifest } from '../../src/manifest/manifest.types';
import { hasIndexedCues } from '../../src/recorder/testing/media-check';
import { fsStorageDir } from '../../src/storage/storage.factory';
import type { BrowserParticipant } from '../../src/testworld/browser/browser-participant';
import { startTestRedis } from '../support/redis-server';

const run = promisify(execFile);

/** The service under test: an `api` and a `recorder` (no post-call worker) on one test redis and WORK_DIR. */
export interface Recbot {
  /** Base URL of the API. */
  url: string;
  /** Base URL of the recorder process (its /metrics). */
  recorderUrl: string;
  config: RunningService['config'];
  close(): Promise<void>;
}

/**
 * Start the API and recorder roles (as separate pods would run them) in this process. The worker role
 * is left out: post-call muxing is not under test here and would only compete for the 2 cores.
 */
export async function startRecbot(workDir: string, more: Record<string, string> = {}): Promise<Recbot> {
  const redis = await startTestRedis();
  const api = await startService(serviceEnv(workDir, { ...more, APP_ROLE: 'api', REDIS_URL: redis.url }));
  const rec = await startService(serviceEnv(workDir, { ...more, APP_ROLE: 'recorder', REDIS_URL: redis.url }));
  let closed: Promise<void> | undefined;
  return {
    url: api.url, recorderUrl: rec.url, config: rec.config,
    close: () => (closed ??= (async () => {
      await rec.close().catch(() => undefined);
      await api.close().catch(() => undefined);
      await redis.stop();
    })()),
  };
}

/** Env of the service under test (merged over by each test file). */
export function serviceEnv(workDir: string, more: Record<string, string> = {}): Record<string, string> {
  return { LOG_LEVEL: 'warn', ICE_LOOPBACK_ONLY: 'true', OUTBOUND_ALLOW: 'loopback', HTTP_PORT: '0', WORK_DIR: workDir, SEGMENT_SECONDS: '10', BOT_EMPTY_ROOM_TIMEOUT_MS: '60000', ...more };
}

/** POST /v1/recordings; returns the recording id. */
export async function startRecording(api: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${api}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transcribe: false, ...body }) });
  if (res.status !== 201) throw new Error(`POST /v1/recordings: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function getManifest(api: string, id: string): Promise<RecordingManifest> {
  const r = await fetch(`${api}/v1/recordings/${id}`);
  return ((await r.json()) as { manifest: RecordingManifest }).manifest;
}

/** Polls the recording until `pred` holds on its manifest. */
export async function waitManifest(api: string, id: string, pred: (m: RecordingManifest) => boolean, timeoutMs: number, what: string): Promise<RecordingManifest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await getManifest(api, id);
    if (pred(m)) return m;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms (status ${m.status}, segments ${m.segments.length})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stop the recording and wait until every segment is uploaded (status 'processing' or later). */
export async function stopRecording(api: string, id: string): Promise<RecordingManifest> {
  const r = await fetch(`${api}/v1/recordings/${id}/stop`, { method: 'POST' });
  if (r.status >= 300) throw new Error(`stop: ${r.status} ${await r.text()}`);
  return waitManifest(api, id, (m) => ['processing', 'completed', 'failed'].includes(m.status), 30_000, 'recording stopped');
}

/** Absolute file of an uploaded segment (fs storage driver). */
export function segmentFile(svc: { config: RunningService['config'] }, s: ManifestSegment): string {
  if (!s.key) throw new Error(`segment ${s.trackKey}/${s.seq} not uploaded`);
  return path.join(fsStorageDir(svc.config), s.key);
}

export interface SegmentCheck {
  file: string;
  /** Decoder errors (and anything but the null muxer's dts complaint from the literal command). */
  decodeErrors: string;
  /** Lines of `ffmpeg -v error -i SEG -f null -` that only say two frames collided on its guessed frame rate. */
  nullMuxerDts: number;
  seekErrors: string;
  cues: boolean;
  durationMs: number;
  /** End of the last packet (pts + its duration, or the median frame interval when absent) in ms. */
  contentEndMs: number;
  packets: number;
  codec: string;
}

/** Decode fully, read Duration and the packet times, check the Cues index and seek to the middle. */
export async function checkSegmentFile(file: string): Promise<SegmentCheck> {
  // ffmpeg's CLI gives the null output a constant frame rate guessed from the first frames (e.g.
  // 20 fps): two real capture times closer than 1/20 s (Chrome's capture jitter) then collide there
  // and the null muxer logs "non monotonically increasing dts". The decoder itself is checked by
  // the literal command: it must print nothing but those lines (decoder errors would show there).
  const literal = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  const literalLines = literal.stderr.split('\n').filter((l) => l.trim() !== '');
  const nullMuxerDts = literalLines.filter((l) => /^\[null @ [0-9a-fx]+\] Application provided invalid, non monotonically increasing dts to muxer/.test(l)).length;
  const otherLiteral = literalLines.filter((l) => !/^\[null @ [0-9a-fx]+\] Application provided invalid, non monotonically increasing dts to muxer/.test(l)).join('\n');
  const pr = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name:packet=pts_time,duration_time', '-of', 'json', file], { maxBuffer: 64 << 20 });
  const j = JSON.parse(pr.stdout) as { format?: { duration?: string }; streams?: { codec_name?: string }[]; packets?: { pts_time?: string; duration_time?: string }[] };
  const durationMs = Number(j.format?.duration ?? 'NaN') * 1000;
  const pts = (j.packets ?? []).map((p) => ({ t: Number(p.pts_time) * 1000, d: p.duration_time === undefined ? NaN : Number(p.duration_time) * 1000 })).sort((a, b) => a.t - b.t);
  const gaps = pts.slice(1).map((p, i) => p.t - (pts[i] as { t: number }).t).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] ?? 20;
  const last = pts[pts.length - 1];
  const contentEndMs = last ? last.t + (Number.isFinite(last.d) && last.d > 0 ? last.d : median) : 0;
  const seek = await run('ffmpeg', ['-v', 'error', '-ss', (durationMs / 2000).toFixed(3), '-i', file, '-frames', '3', '-enc_time_base:v', '-1', '-f', 'null', '-']);
  return {
    file, decodeErrors: otherLiteral, nullMuxerDts, seekErrors: seek.stderr.trim(), cues: hasIndexedCues(readFileSync(file)),
    durationMs, contentEndMs, packets: pts.length, codec: j.streams?.[0]?.codec_name ?? '',
  };
}

/** A participant's segments of one track, in order. */
export function trackSegments(m: RecordingManifest, participantId: string, trackKey: string): ManifestSegment[] {
  return m.segments.filter((s) => s.participantId === participantId && s.trackKey === trackKey).sort((a, b) => a.part - b.part || a.seq - b.seq);
}

/** Wall-clock span of a track: first frame arrival to the end of the last segment's media. */
export function trackSpan(segs: readonly ManifestSegment[]): { startMs: number; endMs: number } {
  const first = segs[0];
  const last = segs[segs.length - 1];
  if (!first || !last) return { startMs: NaN, endMs: NaN };
  return { startMs: first.timeline.firstArrivalMs, endMs: last.timeline.firstArrivalMs + last.timeline.durationMs };
}

/** Sum of media seconds of segments. */
export function mediaMs(segs: readonly ManifestSegment[]): number {
  return segs.reduce((s, x) => s + x.timeline.durationMs, 0);
}

/**
 * Make the page's RTCPeerConnections reachable from the test (window.__pcs). Call right after
 * launch, before any call starts: the page constructs `new RTCPeerConnection` by its global name.
 */
export async function exposePeerConnections(b: BrowserParticipant): Promise<void> {
  await b.page.evaluate(() => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
    const Orig = w.RTCPeerConnection;
    w.__pcs = [];
    w.RTCPeerConnection = class extends Orig {
      constructor(cfg?: RTCConfiguration) {
        super(cfg);
        w.__pcs.push(this);
      }
    };
  });
}

/** Sender-side counters of the page's open peer connections (outbound-rtp), summed. */
export interface SentStats {
  framesSent: number;
  framesEncoded: number;
  videoPackets: number;
  audioPackets: number;
  nackCount: number;
  retransmittedPackets: number;
  codec: string;
  localPort?: number;
  remotePort?: number;
  /** Selected [local, remote] UDP ports of every transport (one with BUNDLE). */
  pairs: [number, number][];
}

/** Sums over the page's open peer connections, or only the one with `remoteId` (page/participant.js). */
export async function sentStats(b: BrowserParticipant, remoteId?: string): Promise<SentStats> {
  return b.page.evaluate(async (remoteId) => {
    const w = window as unknown as { __pcs?: RTCPeerConnection[]; __recbotPc(id: string): RTCPeerConnection | null };
    const one = remoteId ? w.__recbotPc(remoteId) : null;
    const pcs = (one ? [one] : (w.__pcs ?? [])).filter((p) => p.connectionState !== 'closed');
    const r = { framesSent: 0, framesEncoded: 0, videoPackets: 0, audioPackets: 0, nackCount: 0, retransmittedPackets: 0, codec: '', localPort: undefined as number | undefined, remotePort: undefined as number | undefined, pairs: [] as [number, number][] };
    for (const pc of pcs) {
      const rep = (await pc.getStats()) as unknown as Map<string, Record<string, unknown>>;
      rep.forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          r.framesSent += Number(s.framesSent ?? 0);
          r.framesEncoded += Number(s.framesEncoded ?? 0);
          r.videoPackets += Number(s.packetsSent ?? 0);
          r.nackCount += Number(s.nackCount ?? 0);
          r.retransmittedPackets += Number(s.retransmittedPacketsSent ?? 0);
          const c = rep.get(String(s.codecId)) as { mimeType?: string } | undefined;
          if (c?.mimeType) r.codec = c.mimeType;
        } else if (s.type === 'outbound-rtp' && s.kind === 'audio') r.audioPackets += Number(s.packetsSent ?? 0);
        else if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = rep.get(String(s.selectedCandidatePairId)) as { localCandidateId: string; remoteCandidateId: string } | undefined;
          if (pair) {
            const lp = Number((rep.get(pair.localCandidateId) as { port?: number } | undefined)?.port);
            const rp = Number((rep.get(pair.remoteCandidateId) as { port?: number } | undefined)?.port);
            r.localPort = lp;
            r.remotePort = rp;
            r.pairs.push([lp, rp]);
          }
        }
      });
    }
    return r;
  }, remoteId);
}

/** Stop (kind: 'audio'|'video'|'all') or restore sending on every peer connection via replaceTrack. */
export async function setSending(b: BrowserParticipant, on: boolean, kind: 'audio' | 'video' | 'all' = 'all'): Promise<void> {
  await b.page.evaluate(async ([on, kind]) => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __saved?: Map<RTCRtpSender, MediaStreamTrack> };
    const saved = (w.__saved ??= new Map());
    for (const pc of w.__pcs.filter((p) => p.connectionState !== 'closed')) {
      for (const t of pc.getTransceivers()) {
        const s = t.sender;
        const k = s.track?.kind ?? saved.get(s)?.kind;
        if (!k || (kind !== 'all' && k !== kind)) continue;
        if (!on && s.track) {
          saved.set(s, s.track);
          await s.replaceTrack(null);
        } else if (on && !s.track && saved.get(s)) await s.replaceTrack(saved.get(s) ?? null);
      }
    }
  }, [on, kind] as const);
}

/**
 * Where a segment's content ends, in ms from its first frame, when the next segment of the track
 * follows it directly: the RTP distance to the next segment's first frame (the last frame lasts
 * until then). Undefined for the last segment or across a gap/part.
 */
export function rtpEndMs(seg: ManifestSegment, next: ManifestSegment | undefined, clockRate: number): number | undefined {
  if (!next || next.part !== seg.part || next.seq !== seg.seq + 1) return undefined;
  const d = (next.timeline.firstRtpTimestamp - seg.timeline.firstRtpTimestamp + 2 ** 32) % 2 ** 32;
  return (d * 1000) / clockRate;
}
