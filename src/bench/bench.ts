/**
 * `npm run bench -- --participants N --seconds S --json FILE`: the recorder's CPU and memory per
 * participant, and its recorder-side loss, against werift's own MediaRecorder as the baseline.
 * N synthetic participants (Opus + VP8 at --kbps) in sender child processes send to ONE recorder
 * child process (Bot with werift DTLS/SRTP + RecordingSession, or + MediaRecorder) on loopback.
 * Only the recorder process is measured (/proc/PID/stat and status); the senders compete with it
 * for the same cores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadBotMedia } from '../bot/bot-media';
import { initLogger } from '../common/logger';
import { startSignalingServer } from '../signaling-server/signaling-server';
import { DEFAULT_SENTENCES, loadSyntheticMedia } from '../testworld/synthetic/synthetic-media';
import { formatTable, ratios, summarize, TARGETS, type RecorderSummary } from './bench-report';
import { runOnce, type RunMetrics } from './bench-run';
import { parseBenchArgs, type BenchArgs } from './bench-stats';

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', totalMemMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, kernel: os.release(), loadAvgAtStart: os.loadavg().map((x) => +x.toFixed(2)) };
}

function outFile(a: BenchArgs, n: number): string {
  const f = resolve(a.json);
  return a.participants.length > 1 ? f.replace(/(\.json)?$/, `-${n}.json`) : f;
}

async function main(): Promise<void> {
  let a: BenchArgs;
  try {
    a = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  initLogger({ level: 'error', pretty: false });
  const log = (m: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const cacheDir = join(os.tmpdir(), 'recbot-media-cache');
  // make the media once here, not in every child
  await Promise.all([loadBotMedia(cacheDir), loadSyntheticMedia(cacheDir, DEFAULT_SENTENCES, { width: 640, height: 360, seconds: 10, bitrateKbps: a.kbps })]);
  const server = await startSignalingServer({});
  const profDir = resolve('bench-results/prof');
  try {
    for (const n of a.participants) {
      const runs: Record<string, RunMetrics[]> = { recbot: [], baseline: [] };
      for (let r = 0; r < a.repeats; r++) {
        for (const mode of a.modes) {
          log(`N=${n} ${mode} run ${r + 1}/${a.repeats} (${a.seconds} s)`);
          runs[mode]?.push(await runOnce({
            mode, participants: n, seconds: a.seconds, videoKbps: a.kbps, perSender: a.perSender, segmentSeconds: a.segmentSeconds, jitterMs: a.jitterMs,
            url: server.url, cacheDir, log, recorderExecArgv: a.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(profDir, mode)] : [],
          }));
        }
      }
      const rec: RecorderSummary | undefined = runs.recbot?.length ? summarize(runs.recbot) : undefined;
      const base: RecorderSummary | undefined = runs.baseline?.length ? summarize(runs.baseline) : undefined;
      const head = rec ?? base;
      const report = {
        ...head,
        seconds: a.seconds,
        repeats: a.repeats,
        videoKbps: a.kbps,
        jitterBufferMs: a.jitterMs,
        ...(rec && base ? { baseline: base, ratios: ratios(rec, base) } : {}),
        targets: {
          ...TARGETS,
          met: rec ? {
            cpu: (rec.cpuPercentPerParticipant ?? Infinity) <= TARGETS.cpuPercentPerParticipant,
            rss: (rec.rssMbPerParticipant ?? Infinity) <= TARGETS.rssMbPerParticipant,
            zeroRecorderLoss: rec.recorderLostPackets === 0,
          } : undefined,
        },
        machine: { ...machine(), loadAvgAtEnd: os.loadavg().map((x) => +x.toFixed(2)) },
        method: [
          'Measured: the recorder child process only (utime+stime from /proc/PID/stat, VmRSS sampled every second), over the window after all tracks flow and a 5 s warm-up.',
          'The recorder process runs the real receive path: Bot (werift, DTLS/SRTP, NACK) and RecordingSession (jitter buffer, journal, WebM segments); it also sends the bot\'s silent audio + REC tile to each peer.',
          'Senders run in separate child processes on the same machine and compete with the recorder for the cores.',
          'Participants are connected to the recorder only (no mesh between them); the recorder is the caller (MAKE_CALL).',
          'Per-participant numbers divide by the participants whose audio and video reached the recorder (connected); on an overloaded machine some may not connect in time.',
          'rssMbPerParticipant = (peak RSS in the window - RSS of the idle recorder process joined to the room) / N; idleRecorderRssMb is the per-call child-process overhead.',
          'recorderLostFrames = frames the recorder\'s sinks received minus frames in its output files (ffprobe), excluding recbot\'s video frames before the first keyframe and after a packet lost in the network (undecodable until the next keyframe; reported separately; the baseline cannot tell them apart, so its number includes them); recorderLostPackets: audio exact, video = lost frames x mean packets per frame.',
          'baseline = werift/nonstandard MediaRecorder with default options, fed the same RTP and sender reports by the same Bot.',
        ],
        runs,
      };
      const file = outFile(a, n);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nN=${n}, ${a.seconds} s, video ${a.kbps} kbps + Opus per participant, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'} (medians of ${a.repeats})`);
      console.log(formatTable(rec, base));
      console.log(`targets: <= ${TARGETS.cpuPercentPerParticipant}% CPU and <= ${TARGETS.rssMbPerParticipant} MB per participant, 0 recorder-side loss; JSON: ${file}`);
    }
  } finally {
    await server.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
