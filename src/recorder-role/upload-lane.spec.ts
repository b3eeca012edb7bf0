import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { ManifestSegment } from '../manifest/manifest.types';
import type { ObjectInfo, StorageDriver } from '../storage/storage.types';
import { md5OfFile } from '../storage/storage-util';
import { SegmentUploader, registerUploaderMetrics } from './upload-lane';

/** In-memory storage whose head() can be told to lie about the MD5 (a corrupted upload). */
function memoryStorage() {
  const objects = new Map<string, ObjectInfo>();
  const state = { corrupt: true, puts: 0 };
  const storage = {
    name: 'fs',
    async putFile(key: string, local: string) {
      state.puts++;
      const d = await md5OfFile(local);
      const info = { key, size: d.size, md5: d.md5 };
      objects.set(key, info);
      return info;
    },
    async head(key: string) {
      const o = objects.get(key);
      return o && state.corrupt ? { ...o, md5: '0'.repeat(32) } : o;
    },
  } as unknown as StorageDriver;
  return { storage, state, objects };
}

const segment = (localPath: string): ManifestSegment & { localPath: string } => ({
  participantId: 'p1', trackKey: 'audio', seq: 3, part: 1, container: 'webm', localPath, frames: 1, keyframes: 1, closedMs: 1000,
  timeline: { firstRtpTimestamp: 0, lastRtpTimestamp: 0, firstArrivalMs: 0, lastArrivalMs: 1, durationMs: 1 },
});

describe('SegmentUploader', () => {
  let dir: string;
  const made: SegmentUploader[] = [];
  const track = (u: SegmentUploader) => (made.push(u), u);
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-upl-'))));
  afterEach(async () => {
    await Promise.all(made.splice(0).map((u) => u.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('never deletes a local file whose upload is not verified; retries until it is', async () => {
    const file = path.join(dir, '000003.webm');
    writeFileSync(file, Buffer.alloc(1000, 7));
    const { storage, state } = memoryStorage();
    const recorded: unknown[] = [];
    let now = 5000;
    const up = track(new SegmentUploader({
      storage, concurrency: 1, queueMax: 10, retryBaseMs: 20, retryMaxMs: 40, ageAlertMs: 1, now: () => now,
      recordUpload: async (_r, _s, res) => void recorded.push(res),
    }));
    up.handoff('rec1')(segment(file));
    await new Promise((r) => setTimeout(r, 150));
    expect(existsSync(file)).toBe(true);
    expect(recorded).toEqual([]);
    expect(up.getStats().failedAttempts).toBeGreaterThanOrEqual(2);
    expect(up.getStats().oldestPendingAgeMs).toBe(4000);
    state.corrupt = false;
    now = 6000;
    expect(await up.drain(2000)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(recorded).toEqual([{ key: 'recordings/rec1/segments/p1/audio/000003.webm', size: 1000, md5: (recorded[0] as { md5: string }).md5, uploadedMs: 6000 }]);
    expect(up.getStats()).toMatchObject({ uploaded: 1, queued: 0, inFlight: 0, oldestPendingAgeMs: 0 });
    await up.close();
    await up.close();
    expect(() => up.enqueue('rec1', segment(file))).toThrow(/closed/);
  });

  it('does not re-upload an object already stored with the same MD5, and counts overflow', async () => {
    const files = [0, 1].map((i) => {
      const f = path.join(dir, `${i}.webm`);
      writeFileSync(f, Buffer.alloc(10, i));
      return f;
    });
    const { storage, state } = memoryStorage();
    state.corrupt = false;
    const up = track(new SegmentUploader({ storage, concurrency: 1, queueMax: 1, recordUpload: async () => undefined }));
    up.enqueue('rec1', { ...segment(files[0]!), seq: 0 });
    up.enqueue('rec1', { ...segment(files[1]!), seq: 1 });
    expect(await up.drain(2000)).toBe(true);
    expect(up.getStats().overflows).toBe(1);
    writeFileSync(files[0]!, Buffer.alloc(10, 0));
    up.enqueue('rec1', { ...segment(files[0]!), seq: 0 });
    expect(await up.drain(2000)).toBe(true);
    expect(state.puts).toBe(2);
    await up.close();
  });

  it('exposes gauges', async () => {
    const reg = new Registry();
    registerUploaderMetrics(reg);
    const text = await reg.metrics();
    expect(text).toContain('recbot_upload_queue_segments');
    expect(text).toContain('recbot_upload_oldest_pending_age_seconds');
  });
});
