import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex MD5 from an ETag of a single-part, non-KMS upload (undefined for multipart ETags). */
export function md5FromEtag(etag: string | undefined): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/i.exec(etag ?? '');
  return m?.[1]?.toLowerCase();
}

/** Encode tags as the x-amz-tagging query string. */
export function encodeTagging(tags: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Hex MD5 and size of a local file (streamed). */
export async function md5OfFile(file: string): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest('hex'), size };
}

/** Run `fn` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
