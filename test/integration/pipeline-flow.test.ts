/**
 * The post-call flow on real Redis (BullMQ) and real S3 (Ceph RGW): segments are uploaded by the
 * SegmentUploader (local files deleted), then mux -> transcribe -> merge -> publish -> webhook runs
 * once, downloading segments from S3; adding the flow again or re-adding a finished job changes
 * nothing; a non-retryable error fails a job once (UnrecoverableError) and JobsAdmin lists and retries it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { JobRepository } from '../../src/jobs/job.repository';
import { JobName, QueueName } from '../../src/jobs/job.types';
import { JobsAdmin } from '../../src/jobs/jobs-admin';
import { MediaPipeline } from '../../src/pipeline/media-pipeline';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { registerPipelineHandlers } from '../../src/pipeline/pipeline.handlers';
import { startPostCallFlow } from '../../src/pipeline/post-call-flow';
import { Publisher } from '../../src/pipeline/publisher';
import { SegmentUploader } from '../../src/recorder-role/upload-lane';
import { S3StorageDriver } from '../../src/storage/s3-storage.driver';
import { RETENTION_TAG, STAGE_TAG } from '../../src/storage/lifecycle-rules';
import { startTestRedis, type RedisServerHandle } from '../support/redis-server';
import { createTestBucket } from '../support/rgw';
import { FFMPEG, FFPROBE, intervals, makeRecording } from './pipeline-fixtures';

jest.setTimeout(180_000);

const REC = 'rec-flow-1';
const T0 = Date.UTC(2026, 0, 1, 11, 0, 0);
const ALL_QUEUES = [QueueName.Media, QueueName.Transcripts, QueueName.Publish, QueueName.Webhooks];

describe('recording flow on BullMQ + real Redis', () => {
  let dir: string;
  let redis: RedisServerHandle;
  let storage: S3StorageDriver;
  let jobs: JobRepository;
  const calls: Record<string, string[]> = {};
  let webhookDone!: () => void;
  const webhook = new Promise<void>((r) => (webhookDone = r));
  const count = (n: JobName) => (calls[n] ?? []).length;
  const record = (n: JobName, what: string) => ((calls[n] ??= []).push(what), undefined);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-flow-'));
    redis = await startTestRedis();
    const { bucket, info } = await createTestBucket('pipeline-flow');
    storage = new S3StorageDriver({
      bucket, region: info.region, endpoint: info.endpoint, forcePathStyle: true, checksumMode: 'WHEN_REQUIRED',
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
      lifecycle: { retentionDays: 3650, stagingExpireDays: 7, coldTransitionDays: 0, coldStorageClass: 'STANDARD_IA' },
    });
    const manifest = await makeRecording({
      recordingId: REC, dir: path.join(dir, 'spool'), sessionStartMs: T0, sessionS: 8, eventS: 5,
      speakers: [
        { participantId: 'alice', audio: intervals(0, 8, 4), video: intervals(0, 8, 4), audioDelayMs: 2, videoDelayMs: 6 },
        { participantId: 'bob', audio: intervals(3, 8, 4), video: [], audioDelayMs: 4, videoDelayMs: 0 },
      ],
    });
    manifest.options = { retentionDays: 30, transcribe: true };
    const uploader = new SegmentUploader({
      storage, concurrency: 4, queueMax: 64,
      recordUpload: async (_r, seg, res) => {
        Object.assign(manifest.segments.find((x) => x.participantId === seg.participantId && x.trackKey === seg.trackKey && x.seq === seg.seq)!, res);
      },
    });
    for (const s of manifest.segments) uploader.handoff(REC)(s);
    expect(await uploader.drain(60_000)).toBe(true);
    await uploader.close();
    expect(manifest.segments.every((s) => s.key && s.uploadedMs)).toBe(true);
    const manifests = new StorageManifestRepository(storage);
    await manifests.save(manifest);
    const pipeline = new MediaPipeline({ storage, manifests, ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work') });
    const registry = new JobHandlerRegistry();
    const inner = new JobHandlerRegistry();
    registerPipelineHandlers(inner, { pipeline, publisher: new Publisher({ storage, manifests }), manifests });
    // count every pipeline call, delegating to the real handlers
    for (const n of [JobName.MuxSpeaker, JobName.MixAudio, JobName.Publish] as const) {
      registry.register(n, async (d, ctx) => {
        record(n, JSON.stringify(d));
        return inner.get(n)!(d as never, ctx);
      });
    }
    // the transcription and webhook helpers own these handlers; stubs record the calls
    registry.register(JobName.TranscribeSpeaker, async (d) => {
      expect(await storage.head(d.mediaKey)).toBeDefined(); // its mux child ran first
      await storage.putBuffer(`recordings/${REC}/transcripts/${d.participantId}.json`, '{"utterances":[]}', { contentType: 'application/json' });
      return record(JobName.TranscribeSpeaker, d.participantId) ?? null;
    });
    registry.register(JobName.MergeTranscript, async (d) => record(JobName.MergeTranscript, d.recordingId) ?? null);
    registry.register(JobName.Webhook, async (d) => {
      record(JobName.Webhook, d.event);
      webhookDone();
      return null;
    });
    jobs = new JobRepository({ redisUrl: redis.url, prefix: 'flowtest' });
    expect(() => jobs.startWorkers(new JobHandlerRegistry(), { queues: ALL_QUEUES })).toThrow(/No handler/);
    jobs.startWorkers(registry, { queues: ALL_QUEUES, concurrency: { [QueueName.Media]: 2 } });
    expect(await startPostCallFlow(jobs, manifests, REC)).toEqual(['alice', 'bob']);
  });

  afterAll(async () => {
    await jobs?.close();
    await storage?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes once, children first', async () => {
    await webhook;
    expect(count(JobName.MuxSpeaker)).toBe(2);
    expect(count(JobName.TranscribeSpeaker)).toBe(2);
    expect(count(JobName.MixAudio)).toBe(1);
    expect(count(JobName.MergeTranscript)).toBe(1);
    expect(count(JobName.Publish)).toBe(1);
    expect(calls[JobName.Webhook]).toEqual(['recording.completed']);
    const m = await new StorageManifestRepository(storage).load(REC);
    expect(m.status).toBe('completed');
    expect(m.outputs.map((o) => o.key).sort()).toEqual([
      `recordings/${REC}/mix.webm`, `recordings/${REC}/speakers/alice.webm`, `recordings/${REC}/speakers/bob.webm`,
    ]);
    for (const o of m.outputs) {
      expect(o.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(Math.abs((o.durationMs ?? 0) - 8000)).toBeLessThanOrEqual(100);
      expect(await storage.getTags(o.key)).toMatchObject({ [STAGE_TAG]: 'output', [RETENTION_TAG]: '30' });
    }
    expect(await storage.getTags(m.segments[0]!.key!)).toMatchObject({ [STAGE_TAG]: 'staging' });
    // per-speaker transcripts are intermediates: staged for expiry, not outputs
    for (const pid of ['alice', 'bob']) expect(await storage.getTags(`recordings/${REC}/transcripts/${pid}.json`)).toMatchObject({ [STAGE_TAG]: 'staging', [RETENTION_TAG]: '30' });
  });

  it('adding the flow again or re-adding a finished job runs nothing and writes nothing', async () => {
    const before = (await storage.list(`recordings/${REC}/`)).map((o) => `${o.key}:${o.md5}`).sort();
    const snapshot = JSON.stringify(calls);
    await jobs.createRecordingFlow(REC, [{ participantId: 'alice', mediaKey: `recordings/${REC}/speakers/alice.webm` }, { participantId: 'bob', mediaKey: `recordings/${REC}/speakers/bob.webm` }]);
    const id = await jobs.add({ name: JobName.MuxSpeaker, data: { recordingId: REC, participantId: 'alice' } });
    expect(id).toBe(`mux.${REC}.alice`);
    expect(await jobs.queue(QueueName.Media).getJobState(id)).toBe('completed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(JSON.stringify(calls)).toBe(snapshot);
    expect((await storage.list(`recordings/${REC}/`)).map((o) => `${o.key}:${o.md5}`).sort()).toEqual(before);
  });

  it('a non-retryable error fails once; JobsAdmin lists it and can retry it', async () => {
    const id = await jobs.add({ name: JobName.MuxSpeaker, data: { recordingId: REC, participantId: 'nobody' } });
    const q = jobs.queue(QueueName.Media);
    for (let i = 0; i < 100 && (await q.getJobState(id)) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
    const job = await q.getJob(id);
    expect(job?.attemptsMade).toBe(1); // UnrecoverableError: no retry despite attempts: 5
    expect(job?.failedReason).toMatch(/NO_SEGMENTS/);
    const admin = new JobsAdmin(jobs);
    const failed = await admin.listFailed();
    expect(failed.map((f) => f.id)).toEqual([id]);
    expect(await admin.retry(QueueName.Media, id)).toBe(true);
    expect(await admin.retry(QueueName.Media, 'no-such-job')).toBe(false);
  });
});
