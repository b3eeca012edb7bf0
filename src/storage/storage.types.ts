import type { Readable } from 'node:stream';

/** Metadata of a stored object. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** Hex MD5 of the content when known (S3 ETag of a single-part upload, or computed by fs). */
  md5?: string;
  lastModified?: Date;
  tags?: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  /** Hex MD5 the stored object must have; the driver verifies it after the write. */
  md5?: string;
  tags?: Record<string, string>;
  /** Object Lock retention for this object (s3 only; ignored by fs). */
  retainUntil?: Date;
  /** Write only if no object exists at the key (check-then-write); returns the existing info if one does. */
  ifNoneMatch?: boolean;
}

/**
 * Object storage behind one interface: `fs` (local directory, embedded default) and `s3`.
 * Keys use '/' separators and never start with '/'. All methods classify failures as RecbotError
 * (retryable for network/5xx, non-retryable for auth/validation).
 */
export interface StorageDriver {
  readonly name: 'fs' | 's3';
  putFile(key: string, localPath: string, opts?: PutOptions): Promise<ObjectInfo>;
  putBuffer(key: string, body: Buffer | string, opts?: PutOptions): Promise<ObjectInfo>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Whole object, or an inclusive byte range; a negative `start` is a suffix range (last -start bytes). */
  getBuffer(key: string, range?: { start: number; end?: number }): Promise<Buffer>;
  /** The object as a stream; with `range`, only bytes start..end (inclusive, already resolved against the size). */
  getStream(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /**
   * A short-lived URL that downloads the object without credentials (s3 only: a presigned GET).
   * `filename` sets the download's Content-Disposition.
   */
  presignGet?(key: string, expiresS: number, filename?: string): Promise<string>;
  /** Download to a local file (for ffmpeg). */
  downloadFile(key: string, localPath: string): Promise<void>;
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
  /** Delete every object under prefix (including locked ones' other versions where allowed); returns count. */
  deletePrefix(prefix: string): Promise<number>;
  /** Merge `tags` into the object's tags (existing tags with other names are kept). */
  putTags(key: string, tags: Record<string, string>): Promise<void>;
  getTags(key: string): Promise<Record<string, string>>;
  /** Idempotently apply recbot's lifecycle rules (no-op for fs). */
  applyLifecycle?(): Promise<void>;
  close(): Promise<void>;
}
