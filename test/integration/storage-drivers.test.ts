/**
 * One driver contract, run against the fs driver and the s3 driver on a real Ceph RGW; then the
 * s3-only behaviour (Object Lock, versions, error classification) and the config factory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config/config.schema';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import { outputRetainUntil } from '../../src/storage/lifecycle-rules';
import { S3StorageDriver, type S3DriverOptions } from '../../src/storage/s3-storage.driver';
import { createStorageDriver } from '../../src/storage/storage.factory';
import type { StorageDriver } from '../../src/storage/storage.types';
import { createTestBucket, getRgw, type RgwInfo } from '../support/rgw';

jest.setTimeout(60_000);

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'recbot-storage-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lifecycle = { retentionDays: 3650, stagingExpireDays: 7, coldTransitionDays: 0, coldStorageClass: 'STANDARD_IA' };
function s3Options(info: RgwInfo, bucket: string, extra: Partial<S3DriverOptions> = {}): S3DriverOptions {
  return {
    bucket,
    region: info.region,
    endpoint: info.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    checksumMode: 'WHEN_REQUIRED',
    lifecycle,
    partSizeBytes: 5 * 1024 * 1024,
    ...extra,
  };
}

async function caught(p: Promise<unknown>): Promise<{ code?: string; retryable?: boolean; message?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; retryable?: boolean };
  }
  throw new Error('expected a rejection');
}

type Factory = () => Promise<StorageDriver>;
const drivers: [string, Factory][] = [
  ['fs', async () => new FsStorageDriver(mkdtempSync(path.join(tmp, 'fs-')))],
  ['s3', async () => {
    const { bucket, info } = await createTestBucket('contract');
    return new S3StorageDriver(s3Options(info, bucket));
  }],
];

describe.each(drivers)('%s driver contract', (_name, make) => {
  let d: StorageDriver;
  beforeAll(async () => {
    d = await make();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('puts a buffer and reads it back with size, md5 and ranges (incl. suffix)', async () => {
    const body = Buffer.from('0123456789abcdef');
    const info = await d.putBuffer('recordings/r1/manifest.json', body, { contentType: 'application/json' });
    expect(info).toMatchObject({ key: 'recordings/r1/manifest.json', size: 16, md5: md5(body) });
    expect(await d.head('recordings/r1/manifest.json')).toMatchObject({ size: 16, md5: md5(body) });
    expect((await d.getBuffer('recordings/r1/manifest.json')).equals(body)).toBe(true);
    expect((await d.getBuffer('recordings/r1/manifest.json', { start: 2, end: 5 })).toString()).toBe('2345');
    expect((await d.getBuffer('recordings/r1/manifest.json', { start: 10 })).toString()).toBe('abcdef');
    expect((await d.getBuffer('recordings/r1/manifest.json', { start: -3 })).toString()).toBe('def');
    expect(await caught(d.getBuffer('recordings/r1/manifest.json', { start: 100 }))).toMatchObject({
      code: 'STORAGE_INVALID_RANGE',
      retryable: false,
    });
  });

  it('uploads a large file (multipart on s3) and verifies it; streams and downloads it back', async () => {
    const body = randomBytes(11 * 1024 * 1024 + 17);
    const src = path.join(tmp, `big-${_name}.bin`);
    writeFileSync(src, body);
    const key = 'recordings/r1/speakers/alice.webm';
    const info = await d.putFile(key, src, { md5: md5(body), contentType: 'video/webm' });
    expect(info).toMatchObject({ key, size: body.length, md5: md5(body) });
    expect(await d.head(key)).toMatchObject({ size: body.length, md5: md5(body) });
    const dst = path.join(tmp, `big-${_name}.out`);
    await d.downloadFile(key, dst);
    expect(md5(readFileSync(dst))).toBe(md5(body));
    const hash = createHash('md5');
    for await (const chunk of await d.getStream(key)) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(md5(body));
  });

  it('refuses a body whose md5 is not the expected one, storing nothing', async () => {
    const err = await caught(d.putBuffer('recordings/r1/bad.bin', 'data', { md5: md5('other') }));
    expect(err).toMatchObject({ code: 'STORAGE_MD5_MISMATCH', retryable: false });
    expect(await d.head('recordings/r1/bad.bin')).toBeUndefined();
  });

  it('check-then-write: ifNoneMatch never overwrites an existing object', async () => {
    const key = 'recordings/r1/segments/p1/audio/000000.webm';
    await d.putBuffer(key, 'first', { ifNoneMatch: true });
    const second = await d.putBuffer(key, 'second, longer', { ifNoneMatch: true });
    expect(second).toMatchObject({ size: 5, md5: md5('first') });
    expect((await d.getBuffer(key)).toString()).toBe('first');
  });

  it('stores tags on put and merges tags on putTags', async () => {
    const key = 'recordings/r1/segments/p1/audio/000001.webm';
    await d.putBuffer(key, 'seg', { tags: { 'recbot-stage': 'segment', 'recbot-retention-days': '30' } });
    expect(await d.getTags(key)).toEqual({ 'recbot-stage': 'segment', 'recbot-retention-days': '30' });
    await d.putTags(key, { 'recbot-stage': 'staging' });
    expect(await d.getTags(key)).toEqual({ 'recbot-stage': 'staging', 'recbot-retention-days': '30' });
  });

  it('lists by prefix in key order, deletes one and deletes a prefix', async () => {
    await d.putBuffer('recordings/r2/segments/p/video/000002.webm', 'b');
    await d.putBuffer('recordings/r2/segments/p/video/000001.webm', 'a');
    await d.putBuffer('recordings/r2/mix.webm', 'm');
    await d.putBuffer('recordings/r22/manifest.json', '{}');
    const keys = (await d.list('recordings/r2/')).map((o) => o.key);
    expect(keys).toEqual([
      'recordings/r2/mix.webm',
      'recordings/r2/segments/p/video/000001.webm',
      'recordings/r2/segments/p/video/000002.webm',
    ]);
    expect((await d.list('recordings/r2')).length).toBe(4); // plain prefix, not a folder
    await d.delete('recordings/r2/mix.webm');
    await d.delete('recordings/r2/mix.webm'); // idempotent
    expect(await d.head('recordings/r2/mix.webm')).toBeUndefined();
    expect(await d.deletePrefix('recordings/r2/')).toBe(2);
    expect(await d.list('recordings/r2/')).toEqual([]);
    expect((await d.list('recordings/r22/')).length).toBe(1);
  });

  it('reports missing objects as non-retryable not-found', async () => {
    expect(await d.head('recordings/none/manifest.json')).toBeUndefined();
    expect(await caught(d.getBuffer('recordings/none/manifest.json'))).toMatchObject({
      code: 'STORAGE_NOT_FOUND',
      retryable: false,
    });
  });

  it('rejects hostile keys before touching storage', async () => {
    for (const key of ['../escape.txt', 'recordings/../../escape.txt', '/abs.txt', 'a\u0000b', 'a\\..\\b']) {
      expect(await caught(d.putBuffer(key, 'x'))).toMatchObject({ code: 'STORAGE_INVALID_KEY', retryable: false });
    }
    expect(await caught(d.list('../'))).toMatchObject({ code: 'STORAGE_INVALID_KEY' });
    expect(existsSync(path.join(tmp, 'escape.txt'))).toBe(false);
  });

  it('close() is idempotent and later calls fail clearly', async () => {
    const other = await make();
    await other.close();
    await other.close();
    expect(await caught(other.head('recordings/x/manifest.json'))).toMatchObject({ code: 'STORAGE_CLOSED' });
  });
});

describe('fs driver specifics', () => {
  it('concurrent ifNoneMatch writers: exactly one wins and both see the winner', async () => {
    const d = new FsStorageDriver(mkdtempSync(path.join(tmp, 'fs-race-')));
    const key = 'recordings/r/segments/p/audio/000003.webm';
    const [a, b] = await Promise.all([
      d.putBuffer(key, 'writer-a', { ifNoneMatch: true }),
      d.putBuffer(key, 'writer-bb', { ifNoneMatch: true }),
    ]);
    const stored = await d.getBuffer(key);
    expect(a.md5).toBe(md5(stored));
    expect(b.md5).toBe(md5(stored));
    expect(await d.head(key)).toMatchObject({ size: stored.length, md5: md5(stored) });
    await d.close();
  });
});

describe('s3 driver on Ceph RGW: object lock, versions, failures', () => {
  it('locks outputs (retain-until) so deletePrefix removes the rest and reports the locked one', async () => {
    const { bucket, info, client } = await createTestBucket('lock', { objectLock: true });
    const d = new S3StorageDriver(s3Options(info, bucket, { objectLockMode: 'COMPLIANCE' }));
    try {
      const retainUntil = outputRetainUntil({ mode: 'COMPLIANCE', days: 1 });
      await d.putBuffer('recordings/r1/mix.webm', 'mix', { retainUntil });
      await d.putBuffer('recordings/r1/segments/p/audio/000000.webm', 'v1');
      await d.putBuffer('recordings/r1/segments/p/audio/000000.webm', 'v2'); // second version
      const err = await caught(d.deletePrefix('recordings/r1/'));
      expect(err).toMatchObject({ code: 'STORAGE_OBJECT_LOCKED', retryable: false });
      expect(err.message).toContain('deleted 2');
      expect((await d.getBuffer('recordings/r1/mix.webm')).toString()).toBe('mix');
      const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'recordings/r1/' }));
      expect((versions.Versions ?? []).map((v) => v.Key)).toEqual(['recordings/r1/mix.webm']);
    } finally {
      await d.close();
    }
  });

  it('classifies wrong credentials as non-retryable and an unreachable endpoint as retryable', async () => {
    const info = await getRgw();
    const bad = new S3StorageDriver(s3Options(info, 'nope', { credentials: { accessKeyId: 'WRONG', secretAccessKey: 'x' } }));
    expect(await caught(bad.putBuffer('recordings/a/manifest.json', 'x'))).toMatchObject({ retryable: false });
    await bad.close();
    const down = new S3StorageDriver(s3Options(info, 'nope', { endpoint: 'http://127.0.0.1:9' }));
    const downErr = await caught(down.putBuffer('recordings/a/manifest.json', 'x'));
    expect(downErr.message).toContain('ECONNREFUSED');
    expect(downErr).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      retryable: true,
    });
    await down.close();
  });
});

describe('createStorageDriver', () => {
  it('builds fs by default under WORK_DIR and s3 from S3_* variables', async () => {
    const fsDriver = createStorageDriver(loadConfig({ WORK_DIR: tmp }));
    expect(fsDriver.name).toBe('fs');
    await fsDriver.putBuffer('recordings/f/manifest.json', '{}');
    expect(existsSync(path.join(tmp, 'storage', 'recordings', 'f', 'manifest.json'))).toBe(true);
    await fsDriver.close();

    const { bucket, info } = await createTestBucket('factory');
    const s3 = createStorageDriver(
      loadConfig({
        STORAGE_DRIVER: 's3',
        S3_BUCKET: bucket,
        S3_ENDPOINT: info.endpoint,
        S3_REGION: info.region,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: info.accessKeyId,
        S3_SECRET_ACCESS_KEY: info.secretAccessKey,
        S3_CHECKSUM_MODE: 'WHEN_REQUIRED',
      }),
    );
    expect(s3.name).toBe('s3');
    await s3.applyLifecycle?.();
    expect((await s3.putBuffer('recordings/f/manifest.json', '{}')).md5).toBe(md5('{}'));
    await s3.close();
    expect(() => createStorageDriver(loadConfig({ STORAGE_DRIVER: 's3' }))).toThrow(/S3_BUCKET/);
  });
});
