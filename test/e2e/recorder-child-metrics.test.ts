/**
 * Metrics from every process: in the compiled service each call runs in its own process
 * (RECORDER_PROCESS_MODEL=child); the recorder's /metrics must still show that call's RTP counters
 * and segment close latency (sent by the call process over IPC), while the parent's own registry
 * has never seen an RTP packet. Counters survive the call process's exit.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '../..');
/** Inside node_modules so the compiled files resolve the project's dependencies. */
const DIST = join(ROOT, 'node_modules/.cache/recbot-child-metrics-test/dist');

/** The value of one series (`name{labels}`) in Prometheus exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('compiled recorder: /metrics shows the counters of a call running in a child process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-metrics-'));
  let signal: SignalingServerHandle | undefined;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', DIST], {
      cwd: ROOT,
    }).catch(() => undefined);
    expect(existsSync(join(DIST, 'recorder-role/call-child.js'))).toBe(true);
  }, 240_000);

  afterAll(async () => {
    await signal?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('RTP packets, keyframe requests and segment close latency of the child call appear in the parent /metrics', async () => {
    type Bootstrap = typeof import('../../src/app/bootstrap');
    type Metrics = typeof import('../../src/common/metrics');
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { startService } = require(join(DIST, 'app/bootstrap.js')) as Bootstrap;
    const { metricsRegistry } = require(join(DIST, 'common/metrics.js')) as Metrics;
    /* eslint-enable @typescript-eslint/no-require-imports */
    signal = await startSignalingServer({});
    const room = new TestRoom(signal.url);
    const svc = await startService({
      WORK_DIR: join(dir, 'svc'),
      LOG_LEVEL: 'warn',
      HTTP_PORT: '0',
      ICE_LOOPBACK_ONLY: 'true',
      OUTBOUND_ALLOW: 'loopback', // the test's signaling server is on 127.0.0.1
      SEGMENT_SECONDS: '3',
      RECORDER_PROCESS_MODEL: 'child',
    });
    try {
      await room.participant('Mia', { host: true });
      const res = await fetch(`${svc.url}/v1/recordings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signalingUrl: signal.url, roomId: room.roomId, maxDurationS: 12, transcribe: false }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };

      // While the call runs: the child's counters reach the parent's /metrics.
      let during = '';
      const deadline = Date.now() + 90_000;
      for (;;) {
        during = await (await fetch(`${svc.url}/metrics`)).text();
        const video = sample(during, 'recbot_rtp_packets_received_total{kind="video"}') ?? 0;
        const audio = sample(during, 'recbot_rtp_packets_received_total{kind="audio"}') ?? 0;
        if (video > 100 && audio > 100) break;
        if (Date.now() > deadline) throw new Error(`no RTP counters in /metrics:\n${during.split('\n').filter((l) => l.startsWith('recbot_rtp')).join('\n')}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      // Proof the numbers came from the call process: this (parent) process recorded no packet itself.
      const own = await metricsRegistry.getSingleMetric('recbot_rtp_packets_received_total')?.get();
      expect((own?.values ?? []).reduce((n, v) => n + v.value, 0)).toBe(0);
      expect(sample(during, 'recbot_recorder_calls_active')).toBe(1);
      expect(during).toMatch(/^process_cpu_user_seconds_total \d/m);

      for (;;) {
        const m = (await (await fetch(`${svc.url}/v1/recordings/${id}`)).json()) as { manifest?: { status?: string } };
        if (m.manifest?.status === 'completed') break;
        if (Date.now() > deadline + 60_000) throw new Error(`recording not completed: ${JSON.stringify(m.manifest?.status)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      // After the call process exited: counters kept (never go backwards), latency histogram filled.
      const after = await (await fetch(`${svc.url}/metrics`)).text();
      const videoDuring = sample(during, 'recbot_rtp_packets_received_total{kind="video"}') ?? 0;
      expect(sample(after, 'recbot_rtp_packets_received_total{kind="video"}')).toBeGreaterThanOrEqual(videoDuring);
      expect(sample(after, 'recbot_rtp_keyframe_requests_total{kind="video"}')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'recbot_segment_close_seconds_count{kind="audio"}')).toBeGreaterThanOrEqual(3);
      expect(sample(after, 'recbot_recorder_calls_active')).toBe(0);
      process.stdout.write(
        `child metrics: video packets ${sample(after, 'recbot_rtp_packets_received_total{kind="video"}')}, audio ${sample(after, 'recbot_rtp_packets_received_total{kind="audio"}')}, ` +
          `segments closed ${sample(after, 'recbot_segment_close_seconds_count{kind="audio"}')} audio\n`,
      );
    } finally {
      await room.close().catch(() => undefined);
      await svc.close();
    }
  });
});
