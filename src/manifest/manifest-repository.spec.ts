import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsStorageDriver } from '../storage/fs-storage.driver';
import { StorageManifestRepository, withGaps } from './manifest-repository';
import { newManifest } from './manifest-store';
import type { ManifestGap, RecordingStatus } from './manifest.types';

const gap = (participantId: string, startMs: number, reason: ManifestGap['reason'] = 'corrupt'): ManifestGap => ({ participantId, trackKey: 'audio', startMs, endMs: startMs + 1000, reason });

describe('StorageManifestRepository', () => {
  let dir: string;
  let storage: FsStorageDriver;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-repo-'));
    storage = new FsStorageDriver(dir);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const seed = async (status: RecordingStatus, failed: string[]) => {
    const repo = new StorageManifestRepository(storage, async (id) => void failed.push(id));
    await repo.save({ ...newManifest({ recordingId: 'r1', roomId: 'room', sessionStartMs: 1 }), status });
    return repo;
  };

  it('fail() moves to failed once, with its reason, and tells onFailed once', async () => {
    const failed: string[] = [];
    const repo = await seed('recording', failed);
    expect(await repo.fail('r1', 'MuxSpeaker: boom', { atMs: 50 })).toBe(true);
    expect(await repo.fail('r1', 'again')).toBe(false);
    const m = await repo.load('r1');
    expect(m.status).toBe('failed');
    expect(m.statusHistory.map((s) => [s.status, s.reason])).toEqual([['pending', undefined], ['failed', 'MuxSpeaker: boom']]);
    expect(failed).toEqual(['r1']);
  });

  it('fail() leaves ended recordings and the states it is told to alone', async () => {
    const failed: string[] = [];
    expect(await (await seed('completed', failed)).fail('r1', 'late')).toBe(false);
    expect(await (await seed('processing', failed)).fail('r1', 'JoinCall: x', { unlessIn: ['processing'] })).toBe(false);
    expect(failed).toEqual([]);
  });

  it('keeps each job findings apart and lists them all', async () => {
    const repo = await seed('processing', []);
    await repo.saveFindings('r1', 'mux-a', { gaps: [gap('a', 10)] });
    await repo.saveFindings('r1', 'mux-b', { gaps: [gap('b', 20)] });
    await repo.saveFindings('r1', 'mux-a', { gaps: [gap('a', 10)] }); // a retry overwrites its own object
    const f = await repo.findings('r1');
    expect(f.keys.sort()).toEqual(['recordings/r1/findings/mux-a.json', 'recordings/r1/findings/mux-b.json']);
    expect(f.gaps.map((g) => g.participantId).sort()).toEqual(['a', 'b']);
  });

  it('find() is undefined for an unknown recording; load() throws', async () => {
    const repo = new StorageManifestRepository(storage);
    expect(await repo.find('nope')).toBeUndefined();
    await expect(repo.load('nope')).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
  });
});

describe('withGaps', () => {
  it('adds new gaps once and skips empty ones', () => {
    const m = { ...newManifest({ recordingId: 'r', roomId: 'x', sessionStartMs: 0 }), gaps: [gap('a', 10)] };
    const out = withGaps(m, [gap('a', 10), gap('a', 30), gap('a', 30), { ...gap('b', 5), endMs: 5 }]);
    expect(out.gaps.map((g) => g.startMs)).toEqual([10, 30]);
    expect(withGaps(m, [])).toBe(m);
  });
});
