/**
 * Benchmark: CPU of the recorder core for one participant (VP8 ~500 kbps + Opus), paced in real
 * time with real journals and segment files. Run: node -r <ts hook> bench-recorder.ts [seconds] [noop|fast].
 * Prints JSON with the process CPU share during recording (excludes capture/encoding). `noop` measures
 * the pacing loop alone (subtract it); `fast` feeds unpaced with a fake clock and reports CPU time per
 * media second (the processing cost without timer wake-ups).
 */
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RtpPacket } from 'werift';
import { RecordingSession } from '../recording-session';
import { captureRtp } from './rtp-capture';

interface TrackSinkLike {
  onRtp(p: RtpPacket, arrivalMs: number): void;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 20);
  const video = await captureRtp('vp8', seconds, 'ffmpeg', { size: '640x360', kbps: 480 });
  const audio = await captureRtp('opus', seconds);
  if (process.argv[3] === 'fast') return fast(seconds, video, audio);
  const spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-bench-'));
  const session = await RecordingSession.open({ recordingId: 'bench', roomId: 'r', spoolDir: spool, part: 1, botId: 'b', segmentSeconds: 10,
    jitterBufferMs: 300, journalFsyncMs: 500, uploadQueueMax: 64, onSegmentClosed: () => undefined });
  const noop = process.argv[3] === 'noop'; // baseline: the pacing loop alone
  const mk = (kind: 'audio' | 'video', rate: number): TrackSinkLike => noop ? { onRtp: () => undefined } : session.createTrackSink({ participantId: 'p', displayName: 'P', kind, trackId: kind,
    mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', clockRate: rate, payloadType: 96, ssrc: 1 }, { requestKeyframe: () => undefined });
  const tracks: [TrackSinkLike, RtpPacket[], number][] = [[mk('video', 90000), video, 90000], [mk('audio', 48000), audio, 48000]];
  const bytes = video.reduce((n, p) => n + p.payload.length, 0);
  const start = Date.now();
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    const idx = [0, 0];
    const step = (): void => {
      const t = Date.now() - start;
      let done = true;
      tracks.forEach(([sink, pk, rate], k) => {
        const ts0 = pk[0]?.header.timestamp ?? 0;
        while ((idx[k] as number) < pk.length) {
          const p = pk[idx[k] as number] as RtpPacket;
          if ((((p.header.timestamp - ts0) | 0) / rate) * 1000 > t) break;
          sink.onRtp(p, Date.now());
          idx[k] = (idx[k] as number) + 1;
        }
        if ((idx[k] as number) < pk.length) done = false;
      });
      if (done) resolve();
      else setTimeout(step, 10);
    };
    step();
  });
  await session.close();
  const cpu = process.cpuUsage(cpu0);
  const wall = Date.now() - start;
  const st = session.stats();
  console.log(JSON.stringify({ seconds, videoKbps: Math.round((bytes * 8) / seconds / 1000), cpuPercentOfOneCore: +(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(2),
    framesWritten: Object.values(st.tracks).map((t) => t.framesWritten) }));
  await fsp.rm(spool, { recursive: true, force: true });
}

async function fast(seconds: number, video: RtpPacket[], audio: RtpPacket[]): Promise<void> {
  const spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-bench-'));
  let now = 1e12;
  const session = await RecordingSession.open({ recordingId: 'bench', roomId: 'r', spoolDir: spool, part: 1, botId: 'b', segmentSeconds: 10,
    jitterBufferMs: 300, journalFsyncMs: 500, uploadQueueMax: 64, onSegmentClosed: () => undefined, now: () => now });
  const mk = (kind: 'audio' | 'video', rate: number): TrackSinkLike => session.createTrackSink({ participantId: 'p', displayName: 'P', kind, trackId: kind,
    mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', clockRate: rate, payloadType: 96, ssrc: 1 }, { requestKeyframe: () => undefined });
  const v = mk('video', 90000);
  const a = mk('audio', 48000);
  const cpu0 = process.cpuUsage();
  for (const [sink, pk, rate] of [[v, video, 90000], [a, audio, 48000]] as const) {
    const ts0 = pk[0]?.header.timestamp ?? 0;
    for (const p of pk) sink.onRtp(p, (now = 1e12 + (((p.header.timestamp - ts0) | 0) / rate) * 1000));
  }
  await session.close();
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ seconds, mode: 'fast', cpuPercentOfOneCore: +(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100).toFixed(3) }));
  await fsp.rm(spool, { recursive: true, force: true });
}

void main();
