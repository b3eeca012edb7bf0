/**
 * The real services the other tests rely on: Ceph RGW (S3: multipart, ranges, tagging, lifecycle
 * that really expires, Object Lock) and redis-server (a BullMQ job round trip).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { startRedisServer } from '../../src/infra/redis-process';
import { S3StorageDriver } from '../../src/storage/s3-storage.driver';
import { retentionTags, stageTags } from '../../src/storage/lifecycle-rules';
import { createTestBucket } from '../support/rgw';
import { startTestRedis, type RedisServerHandle } from '../support/redis-server';
import { isAlive, sleep } from '../support/services';

jest.setTimeout(60_000);

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function getBytes(client: S3Client, Bucket: string, Key: string, Range?: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket, Key, Range }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

describe('Ceph RGW (real S3)', () => {
  it('multipart upload with > 5 MiB parts, then ranged and suffix-ranged reads', async () => {
    const { bucket, client } = await createTestBucket('harness-mpu');
    const body = randomBytes(12 * 1024 * 1024 + 123);
    const up = new Upload({ client, params: { Bucket: bucket, Key: 'big.bin', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    await up.done();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    expect(head.ETag).toMatch(/-3"?$/); // really multipart: three parts
    expect(head.ContentLength).toBe(body.length);
    expect(md5(await getBytes(client, bucket, 'big.bin'))).toBe(md5(body));
    const mid = await getBytes(client, bucket, 'big.bin', 'bytes=5242000-5243000');
    expect(mid.equals(body.subarray(5242000, 5243001))).toBe(true);
    const suffix = await getBytes(client, bucket, 'big.bin', 'bytes=-1000');
    expect(suffix.equals(body.subarray(body.length - 1000))).toBe(true);
  });

  it('stores and returns object tags', async () => {
    const { bucket, client } = await createTestBucket('harness-tags');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'a', Tagging: 'k1=v1' }));
    let t = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'a.txt' }));
    expect(t.TagSet).toEqual([{ Key: 'k1', Value: 'v1' }]);
    await client.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key: 'a.txt', Tagging: { TagSet: [{ Key: 'k2', Value: 'v 2' }] } }),
    );
    t = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'a.txt' }));
    expect(t.TagSet).toEqual([{ Key: 'k2', Value: 'v 2' }]);
  });

  it('Object Lock refuses to delete a locked object version', async () => {
    const { bucket, client } = await createTestBucket('harness-lock', { objectLock: true });
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'locked.txt',
        Body: 'keep me',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + 3600_000),
      }),
    );
    expect(put.VersionId).toBeTruthy();
    await expect(
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'locked.txt', VersionId: put.VersionId })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const still = await getBytes(client, bucket, 'locked.txt');
    expect(still.toString()).toBe('keep me');
  });

  it(
    "recbot's lifecycle really expires staging segments and short per-recording retention (a day is 10 s here), keeping the rest",
    async () => {
      const { bucket, client, info } = await createTestBucket('harness-lc');
      const driver = new S3StorageDriver({
        bucket,
        region: info.region,
        endpoint: info.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
        checksumMode: 'WHEN_REQUIRED',
        lifecycle: { retentionDays: 3650, stagingExpireDays: 1, coldTransitionDays: 0, coldStorageClass: 'STANDARD_IA' },
      });
      try {
        await driver.applyLifecycle();
        await driver.applyLifecycle(); // idempotent
        const staged = 'recordings/r1/segments/p1/audio/000000.webm';
        const kept = 'recordings/r1/segments/p1/audio/000001.webm';
        await driver.putBuffer(staged, 'seg0', { tags: stageTags('segment') });
        await driver.putBuffer(kept, 'seg1', { tags: stageTags('segment') });
        await driver.putBuffer('recordings/r1/mix.webm', 'mix', { tags: stageTags('output') });
        await driver.putTags(staged, stageTags('staging')); // outputs published: segment may go
        // Per-recording retention: recording r2 keeps its objects for 1 "day" only.
        await driver.ensureRetentionRule(1);
        await driver.ensureRetentionRule(1); // idempotent
        const shortLived = 'recordings/r2/mix.webm';
        await driver.putBuffer(shortLived, 'mix2', { tags: { ...stageTags('output'), ...retentionTags(1) } });
        const t0 = Date.now();
        let keys: string[] = [];
        while (Date.now() - t0 < 90_000) {
          const l = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'recordings/' }));
          keys = (l.Contents ?? []).map((o) => o.Key ?? '');
          if (!keys.includes(staged) && !keys.includes(shortLived)) break;
          await sleep(2000);
        }
        expect(keys).not.toContain(staged);
        expect(keys).not.toContain(shortLived);
        expect(keys).toEqual(expect.arrayContaining([kept, 'recordings/r1/mix.webm']));
      } finally {
        await driver.close();
      }
    },
    120_000,
  );
});

describe('redis-server + BullMQ', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('runs a job through a real Queue and Worker', async () => {
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const queue = new Queue('harness', { connection });
    const events = new QueueEvents('harness', { connection });
    const worker = new Worker('harness', async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      const result = await job.waitUntilFinished(events, 15_000);
      expect(result).toEqual({ doubled: 42 });
      expect(await queue.getJobCounts('completed')).toEqual({ completed: 1 });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });

  it('keeps data over a restart with AOF persistence and stops an orphaned predecessor on the same dir', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'recbot-redis-aof-'));
    try {
      const first = await startRedisServer({ dataDir, persistence: 'aof' });
      const c1 = new IORedis(first.url);
      await c1.set('recbot:test', 'survives');
      c1.disconnect();
      await first.stop();
      await first.stop(); // idempotent
      // A predecessor that was never stopped (we were SIGKILLed): the next start stops it first.
      const orphan = await startRedisServer({ dataDir, persistence: 'aof', stopWithParent: false });
      const second = await startRedisServer({ dataDir, persistence: 'aof' });
      const c2 = new IORedis(second.url);
      try {
        expect(isAlive(orphan.pid)).toBe(false);
        expect(await c2.get('recbot:test')).toBe('survives');
      } finally {
        c2.disconnect();
        await orphan.stop();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
