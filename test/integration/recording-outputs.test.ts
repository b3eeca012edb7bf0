/**
 * Downloads that seek: a published speaker file fetched through GET /v1/recordings/:id/outputs/...
 * with Range / ETag semantics (fs driver, streamed by recbot), seeked into the middle by ffprobe
 * over HTTP and by Chromium's <video> element; with the s3 driver (real Ceph RGW) the endpoint
 * redirects to a short-lived presigned URL that serves ranges itself.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { newManifest } from '../../src/manifest/manifest-store';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { createStorageDriver } from '../../src/storage/storage.factory';
import { storageKeys } from '../../src/storage/storage-keys';
import { chromiumArgs } from '../../src/testworld/browser/browser-participant';
import { createTestBucket } from '../support/rgw';

jest.setTimeout(180_000);
const run = promisify(execFile);

/** Publish `file` as a speaker output of a new recording, as the pipeline would (manifest lists it). */
async function publish(svc: RunningService, file: string): Promise<{ id: string; name: string; bytes: Buffer }> {
  const storage = createStorageDriver(svc.config);
  try {
    const id = randomUUID();
    const bytes = readFileSync(file);
    const key = storageKeys.speaker(id, 'p1');
    const md5 = createHash('md5').update(bytes).digest('hex');
    await storage.putFile(key, file, { contentType: 'video/webm', md5 });
    await storage.putBuffer(storageKeys.segmentsPrefix(id) + 'p1/audio/000001.webm', 'staging');
    const m: RecordingManifest = newManifest({ recordingId: id, roomId: 'r', sessionStartMs: Date.now() - 60_000 });
    m.status = 'completed';
    m.outputs.push({ kind: 'speaker', participantId: 'p1', key, size: bytes.length, md5, durationMs: 30_000, format: 'webm', createdMs: Date.now() });
    await new StorageManifestRepository(storage).save(m);
    return { id, name: 'speakers/p1.webm', bytes };
  } finally {
    await storage.close();
  }
}

describe('output downloads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-outputs-'));
  const file = path.join(dir, 'speaker.webm');
  beforeAll(async () => {
    // 30 s of VP8 + Opus with a keyframe every second and Cues at the front, like a published speaker file.
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '30', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '150k', '-g', '15', '-c:a', 'libopus', '-cues_to_front', '1', '-y', file]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('fs driver: streamed with Range, ETag and conditional requests', () => {
    let svc: RunningService;
    let pub: { id: string; name: string; bytes: Buffer };
    let url: string;
    beforeAll(async () => {
      svc = await startService({ HTTP_PORT: '0', WORK_DIR: path.join(dir, 'work'), LOG_LEVEL: 'silent' });
      pub = await publish(svc, file);
      url = `${svc.url}/v1/recordings/${pub.id}/outputs/${pub.name}`;
    });
    afterAll(() => svc.close());

    it('GET /v1/recordings/:id lists the output with size, checksum, duration and its download path', async () => {
      const view = (await (await fetch(`${svc.url}/v1/recordings/${pub.id}`)).json()) as { outputs: { name: string; size: number; md5: string; durationMs: number; url: string }[] };
      expect(view.outputs).toEqual([expect.objectContaining({ name: pub.name, size: pub.bytes.length, durationMs: 30_000, url: `/v1/recordings/${pub.id}/outputs/speakers/p1.webm` })]);
    });

    it('200 whole file, 206 for ranges (first-last, open, suffix), 416 past the end, 304 on a current ETag', async () => {
      const full = await fetch(url);
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toBe('video/webm');
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      const etag = full.headers.get('etag') as string;
      expect(Buffer.from(await full.arrayBuffer()).equals(pub.bytes)).toBe(true);

      const size = pub.bytes.length;
      for (const [h, start, end] of [['bytes=0-99', 0, 99], [`bytes=${size - 10}-`, size - 10, size - 1], ['bytes=-300', size - 300, size - 1]] as const) {
        const r = await fetch(url, { headers: { range: h } });
        expect(r.status).toBe(206);
        expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
        expect(r.headers.get('content-length')).toBe(String(end - start + 1));
        expect(Buffer.from(await r.arrayBuffer()).equals(pub.bytes.subarray(start, end + 1))).toBe(true);
      }
      const past = await fetch(url, { headers: { range: `bytes=${size}-` } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
      expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
      // A stale If-Range gets the whole (new) file, not a range of it.
      expect((await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } })).status).toBe(200);
    });

    it('only published outputs: staging segments, the manifest, traversal and unknown ids are 404', async () => {
      for (const name of ['segments/p1/audio/000001.webm', 'manifest.json', '..%2Fmanifest.json', 'speakers/p2.webm', 'speakers/..%2F..%2Fmanifest.json']) {
        expect((await fetch(`${svc.url}/v1/recordings/${pub.id}/outputs/${name}`)).status).toBe(404);
      }
      expect((await fetch(`${svc.url}/v1/recordings/${randomUUID()}/outputs/mix.webm`)).status).toBe(404);
    });

    it('ffprobe seeks into the middle over HTTP', async () => {
      const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-read_intervals', '20%+#1', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', url]);
      const first = Number(stdout.trim().split('\n')[0]);
      expect(first).toBeGreaterThanOrEqual(19);
      expect(first).toBeLessThan(21);
    });

    it("Chromium's <video> seeks to 20 s through the endpoint", async () => {
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', ...chromiumArgs({})] });
      try {
        const page = await browser.newPage();
        await page.goto(`${svc.url}/healthz`);
        const result = await page.evaluate(async (src) => {
          const v = document.createElement('video');
          v.muted = true;
          v.preload = 'auto';
          document.body.appendChild(v);
          await new Promise<void>((ok, fail) => {
            v.onloadedmetadata = () => ok();
            v.onerror = () => fail(new Error(`video error ${v.error?.code ?? '?'}`));
            v.src = src;
          });
          const seeked = new Promise<void>((ok) => (v.onseeked = () => ok()));
          v.currentTime = 20;
          await seeked;
          return { duration: v.duration, currentTime: v.currentTime, seekable: v.seekable.length > 0 ? v.seekable.end(0) : 0 };
        }, url);
        expect(result.duration).toBeGreaterThan(29);
        expect(result.seekable).toBeGreaterThan(29);
        expect(Math.abs(result.currentTime - 20)).toBeLessThan(0.5);
      } finally {
        await browser.close();
      }
    });
  });

  describe('s3 driver (real Ceph RGW): presigned URL', () => {
    it('redirects to a short-lived presigned URL that serves ranges; ?redirect=false answers JSON', async () => {
      const { bucket, info } = await createTestBucket('outputs');
      const svc = await startService({
        HTTP_PORT: '0', WORK_DIR: path.join(dir, 'work-s3'), LOG_LEVEL: 'silent', APPLY_LIFECYCLE_ON_START: 'false', OUTPUT_URL_TTL_S: '60',
        STORAGE_DRIVER: 's3', S3_ENDPOINT: info.endpoint, S3_REGION: info.region, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: info.accessKeyId,
        S3_SECRET_ACCESS_KEY: info.secretAccessKey, S3_FORCE_PATH_STYLE: 'true', S3_CHECKSUM_MODE: 'WHEN_REQUIRED',
      });
      try {
        const pub = await publish(svc, file);
        const url = `${svc.url}/v1/recordings/${pub.id}/outputs/${pub.name}`;
        const r = await fetch(url, { redirect: 'manual' });
        expect(r.status).toBe(302);
        const location = r.headers.get('location') as string;
        expect(location).toMatch(/X-Amz-Expires=60/);
        expect(location).not.toContain(info.secretAccessKey);
        const part = await fetch(location, { headers: { range: 'bytes=100-199' } });
        expect(part.status).toBe(206);
        expect(Buffer.from(await part.arrayBuffer()).equals(pub.bytes.subarray(100, 200))).toBe(true);
        const json = (await (await fetch(`${url}?redirect=false`)).json()) as { url: string; expiresAt: string };
        expect(json.url).toMatch(/^http/);
        expect(Date.parse(json.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
        // ffprobe seeks through the presigned URL too (S3 answers the ranges).
        const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-read_intervals', '20%+#1', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', json.url]);
        expect(Number(stdout.trim().split('\n')[0])).toBeGreaterThanOrEqual(19);
      } finally {
        await svc.close();
      }
    });
  });
});
