import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsStorageDriver } from '../storage/fs-storage.driver';
import { OUTPUT_TAG, putVerifiedOutput } from './output-publisher';

describe('putVerifiedOutput (check-then-write)', () => {
  let dir: string;
  let storage: FsStorageDriver;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-out-'));
    storage = new FsStorageDriver(path.join(dir, 'store'));
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const key = 'recordings/r/speakers/p.webm';

  it('writes, then reuses identical content, keeps a longer verified object, replaces a shorter one', async () => {
    const first = await putVerifiedOutput(storage, key, file('a', 'good-36s'), { durationMs: 36_000, contentType: 'video/webm' });
    expect(first.written).toBe(true);
    expect((await storage.getTags(key))[OUTPUT_TAG.durationMs]).toBe('36000');

    const same = await putVerifiedOutput(storage, key, file('b', 'good-36s'), { durationMs: 36_000, contentType: 'video/webm' });
    expect(same.written).toBe(false);

    const worse = await putVerifiedOutput(storage, key, file('c', 'worse-20s'), { durationMs: 20_000, contentType: 'video/webm' });
    expect(worse).toMatchObject({ written: false, md5: first.md5, durationMs: 36_000 });
    expect((await storage.getBuffer(key)).toString()).toBe('good-36s');

    const better = await putVerifiedOutput(storage, key, file('d', 'better-40s'), { durationMs: 40_000, contentType: 'video/webm' });
    expect(better.written).toBe(true);
    expect((await storage.getBuffer(key)).toString()).toBe('better-40s');
  });

  it('replaces an unverified object at the key', async () => {
    await storage.putBuffer(key, 'partial');
    const r = await putVerifiedOutput(storage, key, file('a', 'good'), { durationMs: 1000, contentType: 'video/webm' });
    expect(r.written).toBe(true);
    expect((await storage.getBuffer(key)).toString()).toBe('good');
  });
});
