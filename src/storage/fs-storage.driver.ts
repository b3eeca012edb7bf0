import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecbotError } from '../common/errors';
import { classifyStorageError, isNotFound } from './storage-errors';
import { assertSafeKey, assertSafePrefix } from './storage-keys';
import { md5OfFile } from './storage-util';
import type { ObjectInfo, PutOptions, StorageDriver } from './storage.types';

/** Sidecar metadata kept beside each object (under META_DIR). */
interface Sidecar {
  md5?: string;
  size: number;
  /** Inode of the data file it describes: a sidecar left from another write is ignored. */
  ino?: number;
  contentType?: string;
  tags: Record<string, string>;
}

const META_DIR = '.recbot-meta';
const TMP_DIR = '.recbot-tmp';

/**
 * Object storage in a local directory (the embedded default). Writes are atomic (temp file, fsync,
 * rename); MD5 is computed on write and kept with content type and tags in a sidecar JSON under
 * `<root>/.recbot-meta/`. Ignores Object Lock (`retainUntil`).
 */
export class FsStorageDriver implements StorageDriver {
  readonly name = 'fs' as const;
  private closed = false;

  constructor(private readonly root: string) {}

  private dataPath(key: string): string {
    assertSafeKey(key);
    if (key.startsWith(`${META_DIR}/`) || key.startsWith(`${TMP_DIR}/`) || key === META_DIR || key === TMP_DIR) {
      throw new RecbotError('STORAGE_INVALID_KEY', `key uses a reserved prefix: ${key}`);
    }
    return path.join(this.root, ...key.split('/'));
  }

  private metaPath(key: string): string {
    return path.join(this.root, META_DIR, ...`${key}.json`.split('/'));
  }

  private async tmpPath(): Promise<string> {
    const dir = path.join(this.root, TMP_DIR);
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  }

  private async readSidecar(key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.metaPath(key), 'utf8')) as Sidecar;
    } catch {
      return undefined;
    }
  }

  private async writeSidecar(key: string, meta: Sidecar): Promise<void> {
    const target = this.metaPath(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = await this.tmpPath();
    await fs.writeFile(tmp, JSON.stringify(meta));
    await fs.rename(tmp, target);
  }

  private async wrap<T>(op: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RecbotError('STORAGE_CLOSED', `storage driver closed (${op})`);
    try {
      return await fn();
    } catch (err) {
      throw classifyStorageError(err, op, key);
    }
  }

  /** Write `source` atomically to `key`, computing MD5 on the way. */
  private async write(key: string, source: Readable, opts: PutOptions): Promise<ObjectInfo> {
    const target = this.dataPath(key);
    if (opts.ifNoneMatch) {
      const existing = await this.head(key);
      if (existing) return existing;
    }
    const tmp = await this.tmpPath();
    const hash = createHash('md5');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, hasher, createWriteStream(tmp));
      const fh = await fs.open(tmp, 'r+');
      const { ino } = await fh.stat();
      await fh.sync().finally(() => fh.close());
      const md5 = hash.digest('hex');
      if (opts.md5 && opts.md5.toLowerCase() !== md5) {
        throw new RecbotError('STORAGE_MD5_MISMATCH', `put ${key}: md5 ${md5} != expected ${opts.md5}`);
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      const meta: Sidecar = { md5, size, ino, contentType: opts.contentType, tags: { ...(opts.tags ?? {}) } };
      if (opts.ifNoneMatch) {
        // link() never replaces an existing file: exactly one concurrent writer wins.
        try {
          await fs.link(tmp, target);
        } catch (err) {
          const existing = (err as { code?: string }).code === 'EEXIST' ? await this.head(key) : undefined;
          if (existing) return existing;
          throw err;
        }
        await this.writeSidecar(key, meta);
      } else {
        await this.writeSidecar(key, meta);
        await fs.rename(tmp, target);
      }
      return { key, size, md5, lastModified: new Date(), tags: { ...(opts.tags ?? {}) } };
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  putFile(key: string, localPath: string, opts: PutOptions = {}): Promise<ObjectInfo> {
    return this.wrap('putFile', key, () => this.write(key, createReadStream(localPath), opts));
  }

  putBuffer(key: string, body: Buffer | string, opts: PutOptions = {}): Promise<ObjectInfo> {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return this.wrap('putBuffer', key, () => this.write(key, Readable.from([buf]), opts));
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.wrap('head', key, async () => {
      let st;
      try {
        st = await fs.stat(this.dataPath(key));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      if (!st.isFile()) return undefined;
      const meta = await this.readSidecar(key);
      const current = meta && meta.size === st.size && (meta.ino === undefined || meta.ino === st.ino);
      // No (or a stale) sidecar: a write in progress or a crash between rename and sidecar; hash it.
      const md5 = (current ? meta.md5 : undefined) ?? (await md5OfFile(this.dataPath(key))).md5;
      return { key, size: st.size, md5, lastModified: st.mtime, tags: { ...(current ? meta.tags : {}) } };
    });
  }

  getBuffer(key: string, range?: { start: number; end?: number }): Promise<Buffer> {
    return this.wrap('getBuffer', key, async () => {
      const file = this.dataPath(key);
      if (!range) return fs.readFile(file);
      const { size } = await fs.stat(file);
      const { start, end } = resolveRange(range, size, key);
      const fh = await fs.open(file, 'r');
      try {
        const buf = Buffer.alloc(end - start + 1);
        const { bytesRead } = await fh.read(buf, 0, buf.length, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    });
  }

  getStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.wrap('getStream', key, async () => {
      const file = this.dataPath(key);
      await fs.access(file);
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    });
  }

  downloadFile(key: string, localPath: string): Promise<void> {
    return this.wrap('downloadFile', key, async () => {
      const file = this.dataPath(key);
      const tmp = `${localPath}.part-${randomBytes(4).toString('hex')}`;
      try {
        await fs.copyFile(file, tmp);
        await fs.rename(tmp, localPath);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    });
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.wrap('list', prefix, async () => {
      assertSafePrefix(prefix);
      const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const keys: string[] = [];
      await walk(this.root, dirPart, keys);
      const matched = keys.filter((k) => k.startsWith(prefix) && !k.startsWith(`${META_DIR}/`) && !k.startsWith(`${TMP_DIR}/`));
      matched.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const out: ObjectInfo[] = [];
      for (const k of matched) {
        const info = await this.head(k);
        if (info) out.push(info);
      }
      return out;
    });
  }

  delete(key: string): Promise<void> {
    return this.wrap('delete', key, async () => {
      const file = this.dataPath(key);
      await fs.rm(file, { force: true });
      await fs.rm(this.metaPath(key), { force: true });
      await pruneEmptyDirs(path.dirname(file), this.root);
      await pruneEmptyDirs(path.dirname(this.metaPath(key)), this.root);
    });
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.wrap('deletePrefix', prefix, async () => {
      const items = await this.list(prefix);
      for (const it of items) await this.delete(it.key);
      return items.length;
    });
  }

  /** Merge `tags` into the object's tags (S3 replaces; both drivers merge so no tag is lost). */
  putTags(key: string, tags: Record<string, string>): Promise<void> {
    return this.wrap('putTags', key, async () => {
      const info = await this.head(key);
      if (!info) throw new RecbotError('STORAGE_NOT_FOUND', `putTags ${key}: no such object`);
      const meta = await this.readSidecar(key);
      const base: Sidecar = meta && info.md5 !== undefined ? meta : { size: info.size, tags: {} };
      await this.writeSidecar(key, { ...base, tags: { ...(info.tags ?? {}), ...tags } });
    });
  }

  getTags(key: string): Promise<Record<string, string>> {
    return this.wrap('getTags', key, async () => {
      const info = await this.head(key);
      if (!info) throw new RecbotError('STORAGE_NOT_FOUND', `getTags ${key}: no such object`);
      return info.tags ?? {};
    });
  }

  async applyLifecycle(): Promise<void> {
    // No lifecycle for a local directory: retention is the operator's (or a cleanup job's) concern.
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Resolve an inclusive byte range; a negative `start` means the last -start bytes (suffix range). */
export function resolveRange(range: { start: number; end?: number }, size: number, key = ''): { start: number; end: number } {
  let start = range.start;
  let end = range.end ?? size - 1;
  if (start < 0) {
    start = Math.max(0, size + start);
    end = size - 1;
  }
  end = Math.min(end, size - 1);
  if (start >= size || end < start) {
    throw new RecbotError('STORAGE_INVALID_RANGE', `range ${range.start}-${range.end ?? ''} not satisfiable for ${key} (${size} bytes)`);
  }
  return { start, end };
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(root, ...rel.split('/').filter(Boolean)), { withFileTypes: true });
  } catch (err) {
    if (isNotFound(err) || (err as { code?: string }).code === 'ENOTDIR') return;
    throw err;
  }
  for (const e of entries) {
    const k = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!rel && (e.name === META_DIR || e.name === TMP_DIR)) continue;
      await walk(root, k, out);
    } else if (e.isFile()) out.push(k);
  }
}

async function pruneEmptyDirs(dir: string, root: string): Promise<void> {
  const stop = path.resolve(root);
  let d = path.resolve(dir);
  while (d.startsWith(stop + path.sep) && d !== stop) {
    try {
      await fs.rmdir(d);
    } catch {
      return; // not empty (or gone)
    }
    d = path.dirname(d);
  }
}
