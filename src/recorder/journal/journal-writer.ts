import { promises as fsp } from 'fs';
import * as path from 'path';
import { encodeFrame, encodeHeader, encodeSenderReport, type JournalFrame, type JournalHeader, type JournalSenderReport } from './journal-format';

/** fsync a directory so a created/renamed/deleted entry is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Append-only journal with buffered async writes: records are queued in memory on the media path
 * (no fs call) and written + fdatasync'ed every `fsyncMs` by a timer. A write error (ENOSPC...)
 * stops journaling and is reported through `error`; the caller still has the frames in memory.
 */
export class JournalWriter {
  error: Error | undefined;
  bytesWritten = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly ready: Promise<fsp.FileHandle | undefined>;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly file: string, header: JournalHeader, fsyncMs: number) {
    this.pending.push(encodeHeader(header));
    this.ready = fsp.mkdir(path.dirname(file), { recursive: true })
      .then(() => fsp.open(file, 'w'))
      .then(async (h) => {
        await fsyncDir(path.dirname(file));
        return h;
      })
      .catch((e: unknown) => {
        this.error = e as Error;
        return undefined;
      });
    this.timer = setInterval(() => void this.flush(), fsyncMs);
    this.timer.unref();
  }

  appendFrame(f: JournalFrame): void {
    if (this.closed || this.error) return;
    const parts = encodeFrame(f);
    for (const p of parts) {
      this.pending.push(p);
      this.pendingBytes += p.length;
    }
  }

  appendSenderReport(sr: JournalSenderReport): void {
    if (this.closed || this.error) return;
    const b = encodeSenderReport(sr);
    this.pending.push(b);
    this.pendingBytes += b.length;
  }

  /** Write and fdatasync everything queued so far (serialized; concurrent callers share one flush). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length ? this.flush() : undefined));
    if (this.pending.length === 0) return Promise.resolve();
    this.flushing = this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const h = await this.ready;
    if (!h || this.error) {
      this.pending = [];
      return;
    }
    const chunk = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      // One concatenated write per flush: writev() with thousands of buffers exceeds IOV_MAX.
      const buf = Buffer.concat(chunk);
      let off = 0;
      while (off < buf.length) off += (await h.write(buf, off, buf.length - off)).bytesWritten;
      this.bytesWritten += buf.length;
      await h.datasync();
    } catch (e) {
      this.error = e as Error;
    }
  }

  /** Flush, sync and close the file; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.flushing;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    const h = await this.ready;
    await h?.close().catch(() => undefined);
  }

  /** Close and delete the journal (its segment is durable). */
  async discard(): Promise<void> {
    await this.close();
    await fsp.unlink(this.file).catch(() => undefined);
  }
}
