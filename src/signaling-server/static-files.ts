import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wav': 'audio/wav',
  '.y4m': 'application/octet-stream',
  '.webm': 'video/webm',
};

/**
 * Resolves `urlPath` (below the mount prefix) inside `rootDir`, refusing anything that escapes it.
 * Returns undefined for traversal attempts. Pure; exported for tests.
 */
export function resolveStaticPath(rootDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded.replace(/^\/+/, '') || 'index.html';
  const root = path.resolve(rootDir);
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  return full;
}

/** Serves one file from `rootDir` for a GET/HEAD request; answers 404 when missing. */
export async function serveStatic(rootDir: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = resolveStaticPath(rootDir, urlPath);
  if (!file) {
    res.writeHead(400).end('bad path');
    return;
  }
  let body: Buffer;
  try {
    const st = await fs.stat(file);
    body = await fs.readFile(st.isDirectory() ? path.join(file, 'index.html') : file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
