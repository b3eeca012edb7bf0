import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  paginateListObjectsV2,
  type LifecycleRule,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { RecbotError } from '../common/errors';
import { buildLifecycleRules, mergeLifecycleRules, retentionRule, sameRules, type LifecyclePolicy } from './lifecycle-rules';
import { classifyStorageError, isNotFound } from './storage-errors';
import { encodeTagging, md5FromEtag, md5OfFile, runLimited } from './storage-util';
import { assertSafeKey, assertSafePrefix } from './storage-keys';
import type { ObjectInfo, PutOptions, StorageDriver } from './storage.types';

/** Options of the S3 driver (built from AppConfig by createStorageDriver). */
export interface S3DriverOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** WHEN_REQUIRED for S3-compatible servers that reject the SDK's default checksums. */
  checksumMode?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  sse?: 'none' | 'AES256' | 'aws:kms';
  sseKmsKeyId?: string;
  lifecycle: LifecyclePolicy;
  /** Mode used for objects put with `retainUntil` (GOVERNANCE when 'none'). */
  objectLockMode?: 'none' | 'GOVERNANCE' | 'COMPLIANCE';
  /** Parallel parts per multipart upload. */
  uploadConcurrency?: number;
  /** Socket idle timeout per request. */
  uploadTimeoutMs?: number;
  /** Multipart part size (>= 5 MiB); bodies up to this size go in one PutObject with Content-MD5. */
  partSizeBytes?: number;
}

const MIB = 1024 * 1024;
const DELETE_CONCURRENCY = 8;

/**
 * Object storage on AWS S3 or any S3-compatible server (Ceph RGW, MinIO, ...). Small bodies go in
 * one PutObject with Content-MD5 (the server verifies it); larger ones as a multipart Upload, then
 * verified by HEAD (size and the `x-amz-meta-md5` recbot stores). Errors become RecbotError.
 */
export class S3StorageDriver implements StorageDriver {
  readonly name = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private closed = false;

  constructor(private readonly opts: S3DriverOptions) {
    this.bucket = opts.bucket;
    this.partSize = Math.max(5 * MIB, opts.partSizeBytes ?? 8 * MIB);
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials: opts.credentials,
      requestChecksumCalculation: opts.checksumMode ?? 'WHEN_SUPPORTED',
      responseChecksumValidation: opts.checksumMode ?? 'WHEN_SUPPORTED',
      requestHandler: { requestTimeout: opts.uploadTimeoutMs ?? 60_000, connectionTimeout: 10_000 },
    });
  }

  private async wrap<T>(op: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RecbotError('STORAGE_CLOSED', `storage driver closed (${op})`);
    try {
      return await fn();
    } catch (err) {
      throw classifyStorageError(err, op, key);
    }
  }

  private md5Trustworthy(): boolean {
    return this.opts.sse !== 'aws:kms'; // SSE-KMS ETags are not the MD5 of the content
  }

  private async put(key: string, size: number, md5: string, body: () => Readable | Buffer, opts: PutOptions): Promise<ObjectInfo> {
    assertSafeKey(key);
    if (opts.md5 && opts.md5.toLowerCase() !== md5) {
      throw new RecbotError('STORAGE_MD5_MISMATCH', `put ${key}: local md5 ${md5} != expected ${opts.md5}`);
    }
    if (opts.ifNoneMatch) {
      const existing = await this.head(key);
      if (existing) return existing;
    }
    const params: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      ContentType: opts.contentType,
      Metadata: { md5 },
      Tagging: encodeTagging(opts.tags),
    };
    if (this.opts.sse && this.opts.sse !== 'none') {
      params.ServerSideEncryption = this.opts.sse;
      if (this.opts.sse === 'aws:kms' && this.opts.sseKmsKeyId) params.SSEKMSKeyId = this.opts.sseKmsKeyId;
    }
    if (opts.retainUntil) {
      params.ObjectLockMode = this.opts.objectLockMode && this.opts.objectLockMode !== 'none' ? this.opts.objectLockMode : 'GOVERNANCE';
      params.ObjectLockRetainUntilDate = opts.retainUntil;
    }
    if (size <= this.partSize) {
      const contentMd5 = Buffer.from(md5, 'hex').toString('base64');
      const res = await this.client.send(new PutObjectCommand({ ...params, Body: body(), ContentLength: size, ContentMD5: contentMd5 }));
      const etagMd5 = md5FromEtag(res.ETag);
      if (this.md5Trustworthy() && etagMd5 && etagMd5 !== md5) {
        throw new RecbotError('STORAGE_MD5_MISMATCH', `put ${key}: stored ETag ${etagMd5} != md5 ${md5}`, { retryable: true });
      }
      return { key, size, md5, lastModified: new Date(), tags: { ...(opts.tags ?? {}) } };
    }
    const upload = new Upload({
      client: this.client,
      params: { ...params, Body: body() },
      partSize: this.partSize,
      queueSize: this.opts.uploadConcurrency ?? 4,
      leavePartsOnError: false,
    });
    await upload.done();
    const stored = await this.head(key);
    if (!stored || stored.size !== size || stored.md5 !== md5) {
      throw new RecbotError('STORAGE_VERIFY_FAILED', `put ${key}: stored ${stored?.size ?? 'nothing'} bytes/md5 ${stored?.md5 ?? '?'}, expected ${size}/${md5}`, { retryable: true });
    }
    return { ...stored, tags: { ...(opts.tags ?? {}) } };
  }

  putFile(key: string, localPath: string, opts: PutOptions = {}): Promise<ObjectInfo> {
    return this.wrap('putFile', key, async () => {
      const { md5, size } = await md5OfFile(localPath);
      return this.put(key, size, md5, () => createReadStream(localPath), opts);
    });
  }

  putBuffer(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<ObjectInfo> {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const md5 = createHash('md5').update(buf).digest('hex');
    return this.wrap('putBuffer', key, () => this.put(key, buf.length, md5, () => buf, opts));
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.wrap('head', key, async () => {
      assertSafeKey(key);
      try {
        const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        const md5 = r.Metadata?.md5 ?? (this.md5Trustworthy() ? md5FromEtag(r.ETag) : undefined);
        return { key, size: r.ContentLength ?? 0, md5, lastModified: r.LastModified };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
  }

  getBuffer(key: string, range?: { start: number; end?: number }): Promise<Buffer> {
    return this.wrap('getBuffer', key, async () => {
      assertSafeKey(key);
      const Range = range === undefined ? undefined : range.start < 0 ? `bytes=${range.start}` : `bytes=${range.start}-${range.end ?? ''}`;
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range }));
      if (!r.Body) throw new RecbotError('STORAGE_FAILED', `get ${key}: empty response body`, { retryable: true });
      return Buffer.from(await r.Body.transformToByteArray());
    });
  }

  getStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.wrap('getStream', key, async () => {
      assertSafeKey(key);
      const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range }));
      if (!(r.Body instanceof Readable)) throw new RecbotError('STORAGE_FAILED', `get ${key}: body is not a Node stream`);
      return r.Body;
    });
  }

  presignGet(key: string, expiresS: number, filename?: string): Promise<string> {
    return this.wrap('presignGet', key, async () => {
      assertSafeKey(key);
      const disposition = filename ? `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"` : undefined;
      const cmd = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: disposition });
      return getSignedUrl(this.client, cmd, { expiresIn: expiresS });
    });
  }

  downloadFile(key: string, localPath: string): Promise<void> {
    return this.wrap('downloadFile', key, async () => {
      assertSafeKey(key);
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(r.Body instanceof Readable)) throw new RecbotError('STORAGE_FAILED', `get ${key}: body is not a Node stream`);
      const tmp = `${localPath}.part-${randomBytes(4).toString('hex')}`;
      try {
        await pipeline(r.Body, createWriteStream(tmp));
        const { size } = await fs.stat(tmp);
        if (r.ContentLength !== undefined && size !== r.ContentLength) {
          throw new RecbotError('STORAGE_FAILED', `download ${key}: got ${size} of ${r.ContentLength} bytes`, { retryable: true });
        }
        await fs.rename(tmp, localPath);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    });
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.wrap('list', prefix, async () => {
      assertSafePrefix(prefix);
      const out: ObjectInfo[] = [];
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          const md5 = this.md5Trustworthy() ? md5FromEtag(o.ETag) : undefined;
          out.push({ key: o.Key, size: o.Size ?? 0, md5, lastModified: o.LastModified });
        }
      }
      return out;
    });
  }

  delete(key: string): Promise<void> {
    return this.wrap('delete', key, async () => {
      assertSafeKey(key);
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    });
  }

  /**
   * Delete every version and delete marker under `prefix` (so nothing lingers in a versioned or
   * Object Lock bucket). Locked versions are left; if any were, throws STORAGE_OBJECT_LOCKED after
   * deleting the rest. Returns the number of object versions deleted (delete markers not counted).
   */
  deletePrefix(prefix: string): Promise<number> {
    return this.wrap('deletePrefix', prefix, async () => {
      assertSafePrefix(prefix);
      const targets: { Key: string; VersionId?: string; marker: boolean }[] = [];
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      for (;;) {
        const page = await this.client.send(
          new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
        );
        for (const v of page.Versions ?? []) if (v.Key) targets.push({ Key: v.Key, VersionId: v.VersionId, marker: false });
        for (const m of page.DeleteMarkers ?? []) if (m.Key) targets.push({ Key: m.Key, VersionId: m.VersionId, marker: true });
        if (!page.IsTruncated) break;
        KeyMarker = page.NextKeyMarker;
        VersionIdMarker = page.NextVersionIdMarker;
      }
      let deleted = 0;
      const locked: string[] = [];
      await runLimited(targets, DELETE_CONCURRENCY, async (t) => {
        try {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: t.Key, VersionId: t.VersionId }));
          if (!t.marker) deleted++;
        } catch (err) {
          const e = classifyStorageError(err, 'delete', t.Key);
          if (e.code === 'STORAGE_ACCESS_DENIED') locked.push(t.Key);
          else if (e.code !== 'STORAGE_NOT_FOUND') throw e;
        }
      });
      if (locked.length > 0) {
        throw new RecbotError('STORAGE_OBJECT_LOCKED', `deletePrefix ${prefix}: deleted ${deleted}, ${locked.length} locked (e.g. ${locked[0]})`);
      }
      return deleted;
    });
  }

  putTags(key: string, tags: Record<string, string>): Promise<void> {
    return this.wrap('putTags', key, async () => {
      const merged = { ...(await this.getTags(key)), ...tags };
      const TagSet = Object.entries(merged).map(([Key, Value]) => ({ Key, Value }));
      await this.client.send(new PutObjectTaggingCommand({ Bucket: this.bucket, Key: key, Tagging: { TagSet } }));
    });
  }

  getTags(key: string): Promise<Record<string, string>> {
    return this.wrap('getTags', key, async () => {
      assertSafeKey(key);
      const r = await this.client.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key }));
      return Object.fromEntries((r.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    });
  }

  private async getRules(): Promise<LifecycleRule[]> {
    try {
      const r = await this.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }));
      return r.Rules ?? [];
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchLifecycleConfiguration') return [];
      throw err;
    }
  }

  private async putRules(rules: LifecycleRule[]): Promise<void> {
    await this.client.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket: this.bucket, LifecycleConfiguration: { Rules: rules } }),
    );
  }

  /** Idempotently merge recbot's rules into the bucket's lifecycle (foreign rules are kept). */
  applyLifecycle(): Promise<void> {
    return this.wrap('applyLifecycle', this.bucket, async () => {
      const existing = await this.getRules();
      const merged = mergeLifecycleRules(existing, buildLifecycleRules(this.opts.lifecycle));
      if (!sameRules(existing, merged)) await this.putRules(merged);
    });
  }

  /** Make sure a rule exists for objects tagged `recbot-retention-days=days` (see lifecycle-rules). */
  ensureRetentionRule(days: number): Promise<void> {
    return this.wrap('ensureRetentionRule', this.bucket, async () => {
      const existing = await this.getRules();
      const rule = retentionRule(days);
      if (existing.some((r) => r.ID === rule.ID)) return;
      await this.putRules([...existing, rule]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }
}
