import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../common/logger';
import type { ManifestSegment } from '../manifest/manifest.types';
import { FsStorageDriver } from '../storage/fs-storage.driver';
import { storageKeys } from '../storage/storage-keys';
import type { StorageDriver } from '../storage/storage.types';
import { SEQ_SKIP_UNLISTED, storedSeqFloor } from './call-runner';

describe('storedSeqFloor (a rejoining part never overwrites segments an earlier part uploaded)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-seqfloor-'));
  const log = createLogger({ component: 'test' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts above the highest stored number of each participant/track, listed in the manifest or not', async () => {
    const storage = new FsStorageDriver(path.join(dir, 'store'));
    for (const [pid, track, seq] of [['p1', 'audio', 3], ['p1', 'audio', 7], ['p1', 'video', 2], ['p2', 'audio', 1]] as const) {
      await storage.putBuffer(storageKeys.segment('r1', pid, track, seq), Buffer.from('x'));
    }
    await storage.putBuffer(storageKeys.segment('r1', 'p1', 'video', 9).replace(/\.webm$/, '.mkv'), Buffer.from('x'));
    await storage.putBuffer(storageKeys.segment('other', 'p1', 'audio', 50), Buffer.from('x'));
    const floor = await storedSeqFloor(storage, 'r1', () => [], log);
    expect(floor('p1', 'audio')).toBe(7);
    expect(floor('p1', 'video')).toBe(9);
    expect(floor('p2', 'audio')).toBe(1);
    expect(floor('p3', 'audio')).toBe(0);
    const live = await storedSeqFloor(storage, 'r1', () => [], log, true);
    expect(live('p1', 'audio')).toBe(7 + SEQ_SKIP_UNLISTED);
    expect(live('p3', 'audio')).toBe(SEQ_SKIP_UNLISTED);
  });

  it('skips far ahead of the known numbers when storage cannot be listed', async () => {
    const down = { list: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as StorageDriver;
    const known = [{ participantId: 'p1', trackKey: 'audio', seq: 4 }] as ManifestSegment[];
    const floor = await storedSeqFloor(down, 'r1', () => known, log);
    expect(floor('p1', 'audio')).toBe(4 + SEQ_SKIP_UNLISTED);
    expect(floor('p2', 'video')).toBe(SEQ_SKIP_UNLISTED);
  });
});
