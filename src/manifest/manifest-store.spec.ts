import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStore, newManifest, writeFileAtomic } from './manifest-store';

describe('ManifestStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'manifest-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('creates, serializes concurrent updates and persists each one atomically', async () => {
    const file = path.join(dir, 'rec1', 'manifest.json');
    const store = await ManifestStore.open(file, () => newManifest({ recordingId: 'rec1', roomId: 'room', sessionStartMs: 10 }));
    await Promise.all([
      store.addParticipant({ participantId: 'a', name: 'A', firstSeenMs: 11 }),
      store.addParticipant({ participantId: 'b', name: 'B', firstSeenMs: 12 }),
      store.addPart({ part: 1, botId: 'bot', startedMs: 13 }),
      store.addGap({ participantId: 'a', trackKey: 'audio', startMs: 20, endMs: 30, reason: 'mute' }),
      store.addGap({ participantId: 'a', trackKey: 'audio', startMs: 30, endMs: 30, reason: 'mute' }), // empty: ignored
      store.setStatus('recording', 14),
      store.setStatus('recording', 15), // no-op
    ]);
    const onDisk = await ManifestStore.read(file);
    expect(onDisk?.participants.map((p) => p.participantId)).toEqual(['a', 'b']);
    expect(onDisk?.gaps).toHaveLength(1);
    expect(onDisk?.statusHistory.map((s) => s.status)).toEqual(['pending', 'recording']);
    expect((await fsp.readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await store.close();
    await expect(store.setStatus('failed', 1)).rejects.toThrow(/closed/);
    const reopened = await ManifestStore.open(file, () => {
      throw new Error('should not create');
    });
    expect(reopened.snapshot().parts).toHaveLength(1);
  });

  it('group-commits updates made while a write runs', async () => {
    const file = path.join(dir, 'm', 'manifest.json');
    const store = await ManifestStore.open(file, () => newManifest({ recordingId: 'm', roomId: 'room', sessionStartMs: 0 }));
    const rename = jest.spyOn(fsp, 'rename');
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.addGap({ participantId: 'a', trackKey: 'audio', startMs: i, endMs: i + 1, reason: 'loss' })));
    expect(rename.mock.calls.length).toBeLessThanOrEqual(2);
    rename.mockRestore();
    expect((await ManifestStore.read(file))?.gaps).toHaveLength(20);
  });

  it('a failed write leaves the previous file intact and no temp file', async () => {
    const file = path.join(dir, 'm.json');
    await writeFileAtomic(file, 'old');
    await fsp.mkdir(path.join(dir, 'blocked.json'));
    await expect(writeFileAtomic(path.join(dir, 'blocked.json'), 'new')).rejects.toThrow();
    expect(await fsp.readFile(file, 'utf8')).toBe('old');
    expect((await fsp.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects a file that is not a manifest', async () => {
    const file = path.join(dir, 'x.json');
    await fsp.writeFile(file, '{"version":2}');
    await expect(ManifestStore.read(file)).rejects.toThrow(/invalid manifest/);
  });
});
