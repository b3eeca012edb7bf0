/**
 * Issue 6, acceptance 3: infrastructure faults during a recording, through the whole service on S3.
 *  - Redis (REDIS_URL, AOF persistence) SIGKILLed while the post-call flow runs, restarted on the
 *    same data dir and port: the flow completes exactly once (versioned bucket: every segment and
 *    output has exactly one version; one `completed` in the status history).
 *  - S3 unreachable for 60 s during the call (a TCP proxy in front of RGW is cut): uploads retry,
 *    the closed segments stay in the local spool meanwhile, and after S3 returns every segment is
 *    uploaded and verified and the outputs cover the whole session.
 * Both scenarios run at the same time (each its own service, bucket and room).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectVersionsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/infra/redis-process';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';
import { rtpDiff } from '../../src/pipeline/timeline';
import { createTestBucket } from '../support/rgw';
import {
  BASE_ENV, createRecording, decodeErrors, download, isFinal, probe, s3Env, startTcpProxy, waitForManifest, type TcpProxy,
} from './pipeline-e2e.support';

jest.setTimeout(240_000);

const FAST_JOBS = { JOB_LOCK_DURATION_MS: '5000', JOB_STALLED_INTERVAL_MS: '2000' };

/** Files (recursively) under a directory. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/**
 * Per track: segments, whether their seqs are contiguous, the largest hole between
 * consecutive segments on the sender's RTP clock (ms; 0 = none lost), and the recorded media (ms).
 */
function trackContinuity(m: RecordingManifest): Record<string, { segments: number; contiguous: boolean; maxHoleMs: number; mediaMs: number }> {
  const out: Record<string, { segments: number; contiguous: boolean; maxHoleMs: number; mediaMs: number }> = {};
  for (const t of m.tracks) {
    const segs = m.segments.filter((s) => s.participantId === t.participantId && s.trackKey === t.trackKey).sort((a, b) => a.seq - b.seq);
    let maxHoleMs = 0;
    for (let i = 1; i < segs.length; i++) {
      const prev = segs[i - 1]!;
      const gapMs = (rtpDiff(segs[i]!.timeline.firstRtpTimestamp, prev.timeline.firstRtpTimestamp) * 1000) / t.clockRate - prev.timeline.durationMs;
      maxHoleMs = Math.max(maxHoleMs, Math.round(Math.abs(gapMs)));
    }
    out[`${t.participantId}/${t.trackKey}`] = {
      segments: segs.length,
      contiguous: segs.every((s, i) => s.seq === (segs[0]?.seq ?? 0) + i),
      maxHoleMs,
      mediaMs: Math.round(segs.reduce((a, s) => a + s.timeline.durationMs, 0)),
    };
  }
  return out;
}

describe('faults during a recording (whole service, Ceph RGW)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-e2e-faults-'));
  let signal: SignalingServerHandle | undefined;
  let redis: RedisServerHandle | undefined;
  let proxy: TcpProxy | undefined;
  const services: RunningService[] = [];
  const rooms: TestRoom[] = [];
  beforeAll(async () => {
    signal = await startSignalingServer({});
  });
  afterAll(async () => {
    for (const r of rooms) await r.close().catch(() => undefined);
    for (const s of services) await s.close().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await proxy?.close();
    await signal?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function oneSpeakerCall(svc: RunningService, maxDurationS: number): Promise<{ id: string; room: TestRoom }> {
    const room = new TestRoom(signal!.url);
    rooms.push(room);
    await room.participant('Solo', { host: true });
    const id = await createRecording(svc.url, { signalingUrl: signal!.url, roomId: room.roomId, maxDurationS, transcribe: false });
    return { id, room };
  }

  const redisScenario = async (): Promise<void> => {
    const { bucket, info, client } = await createTestBucket('e2e-redis-kill');
    await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dataDir = path.join(dir, 'redis');
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    redis = await startRedisServer({ dataDir, port, persistence: 'aof' });
    const svc = await startService({ ...BASE_ENV, ...s3Env(info, bucket), ...FAST_JOBS, REDIS_URL: redis.url, WORK_DIR: path.join(dir, 'w-redis') });
    services.push(svc);
    const { id } = await oneSpeakerCall(svc, 10);
    await waitForManifest(svc.url, id, (m) => m.status !== 'pending' && m.status !== 'recording', 60_000);
    // The post-call flow is being created / running: kill Redis without warning, restart it 3 s later.
    process.kill(redis.pid, 'SIGKILL');
    const killedAt = Date.now();
    await sleep(3000);
    redis = await startRedisServer({ dataDir, port, persistence: 'aof' });
    const m = await waitForManifest(svc.url, id, isFinal, 120_000);
    console.log(`redis killed at processing; recording ${m.status} ${Math.round((Date.now() - killedAt) / 1000)} s later`);
    expect(m.status).toBe('completed');
    expect(m.statusHistory.filter((h) => h.status === 'completed')).toHaveLength(1);
    expect(m.parts).toHaveLength(1); // a JoinCall re-run after the lost lock never rejoins the ended call
    const speakers = m.outputs.filter((o) => o.kind === 'speaker');
    expect(speakers).toHaveLength(1);
    await sleep(2000); // let any duplicate flow run finish before counting versions
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `recordings/${id}/` }));
    const perKey = new Map<string, number>();
    for (const v of versions.Versions ?? []) perKey.set(v.Key ?? '', (perKey.get(v.Key ?? '') ?? 0) + 1);
    const rewritten = [...perKey].filter(([k, n]) => !k.endsWith('/manifest.json') && n !== 1);
    expect(rewritten).toEqual([]);
    for (const o of [...speakers, ...m.outputs.filter((x) => x.kind === 'mix')]) expect(perKey.get(o.key)).toBe(1);
    for (const s of m.segments) expect(perKey.get(s.key as string)).toBe(1);
  };

  const s3Scenario = async (): Promise<void> => {
    const { bucket, info, client } = await createTestBucket('e2e-s3-outage');
    const target = new URL(info.endpoint);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    const work = path.join(dir, 'w-s3');
    const svc = await startService({
      ...BASE_ENV, ...s3Env(info, bucket), ...FAST_JOBS, S3_ENDPOINT: proxy.url, UPLOAD_RETRY_MAX_MS: '3000', UPLOAD_TIMEOUT_MS: '5000', WORK_DIR: work,
    });
    services.push(svc);
    const { id } = await oneSpeakerCall(svc, 25);
    await sleep(6000);
    proxy.cut();
    const cutAt = Date.now();
    // While S3 is away the call ends; closed segments wait in the spool (nothing deleted locally).
    await sleep(40_000);
    const spooled = filesUnder(path.join(work, 'spool', id)).filter((f) => /\.(webm|mkv)$/.test(f));
    expect(spooled.length).toBeGreaterThanOrEqual(6); // >= 3 closed 5 s segments per track
    await sleep(Math.max(0, 60_000 - (Date.now() - cutAt)));
    proxy.restore();
    const m = await waitForManifest(svc.url, id, isFinal, 120_000);
    console.log(`s3 cut for 60 s (${spooled.length} segment files spooled meanwhile); recording ${m.status} ${Math.round((Date.now() - cutAt) / 1000 - 60)} s after S3 returned`);
    expect(m.status).toBe('completed');
    expect(m.segments.length).toBeGreaterThanOrEqual(spooled.length);
    expect(m.segments.every((s) => s.key && s.uploadedMs && s.md5)).toBe(true);
    // Nothing lost: each track's segments cover its whole span without holes (segment boundaries
    // are exact on the sender's RTP clock); the speaker file has full length.
    const sessionMs = (m.sessionEndMs ?? 0) - m.sessionStartMs;
    const tracks = trackContinuity(m);
    console.log(`s3 outage: session ${sessionMs} ms, tracks ${JSON.stringify(tracks)}`);
    expect(Object.keys(tracks)).toHaveLength(2);
    for (const t of Object.values(tracks)) {
      expect(t.contiguous).toBe(true);
      expect(t.maxHoleMs).toBeLessThanOrEqual(2);
      expect(t.mediaMs).toBeGreaterThan(sessionMs - 12_000); // the bot joins a few s after the API call
    }
    const speaker = m.outputs.find((o) => o.kind === 'speaker');
    const file = await download(client, bucket, speaker!.key, path.join(dir, 'outage-speaker.webm'));
    const p = await probe(file);
    expect(p.streams).toEqual(['audio', 'video']);
    expect(Math.abs(p.durationS * 1000 - sessionMs)).toBeLessThanOrEqual(150);
    expect(await decodeErrors(file)).toBe('');
    // The spool is cleaned only now that every segment is verified in storage.
    expect(filesUnder(path.join(work, 'spool', id)).filter((f) => /\.(webm|mkv)$/.test(f))).toEqual([]);
  };

  it('Redis SIGKILLed during the flow and S3 cut for 60 s during a call: both recordings complete, exactly once, nothing lost', async () => {
    const results = await Promise.allSettled([redisScenario(), s3Scenario()]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  });
});
