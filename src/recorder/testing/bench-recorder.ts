/**
 * Benchmark: CPU of the recorder core for one participant (VP8 ~500 kbps + Opus), paced in real
 * time with real journals and segment files. Run: node -r <ts hook> bench-recorder.ts [seconds] [noop].
 * Prints JSON with the process CPU share during recording (excludes capture/encoding).
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

void main();
