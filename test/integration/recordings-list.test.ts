/**
 * GET /v1/recordings against the real API role (embedded redis-server, fs storage): newest first,
 * cursor pages that neither repeat nor skip, filters by status, room, created range and metadata,
 * and a deleted recording leaves the listing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { createStorageDriver } from '../../src/storage/storage.factory';

jest.setTimeout(60_000);

interface Page { items: { id: string; status: string; roomId: string; createdMs: number; metadata: Record<string, string> }[]; nextCursor: string | null }

describe('GET /v1/recordings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-list-'));
  let svc: RunningService;
  const ids: string[] = [];
  const list = async (qs: string): Promise<{ status: number; body: Page }> => {
    const r = await fetch(`${svc.url}/v1/recordings${qs}`);
    return { status: r.status, body: (await r.json()) as Page };
  };

  beforeAll(async () => {
    svc = await startService({ APP_ROLE: 'api', HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent' });
    for (let i = 0; i < 7; i++) {
      const r = await fetch(`${svc.url}/v1/recordings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signalingUrl: 'https://meet.example.com', roomId: `room-${i % 2}`, allowDuplicate: true, metadata: { team: i < 3 ? 'blue' : 'red', n: String(i) } }),
      });
      expect(r.status).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
      await new Promise((ok) => setTimeout(ok, 5));
    }
    // One finished recording, as a worker would leave its manifest.
    const storage = createStorageDriver(svc.config);
    const src = new StorageManifestRepository(storage);
    const m = await src.load(ids[1] as string);
    m.status = 'completed';
    await src.save(m);
    await storage.close();
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages newest first with a cursor: every recording exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: Page } = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status, room, metadata and created range', async () => {
    expect((await list('?status=completed')).body.items.map((i) => i.id)).toEqual([ids[1]]);
    expect((await list('?roomId=room-0')).body.items.map((i) => i.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    expect((await list('?metadata.team=blue&roomId=room-0')).body.items.map((i) => i.id)).toEqual([ids[2], ids[0]]);
    const all = (await list('')).body.items;
    const created = (id: string | undefined) => all.find((i) => i.id === id)?.createdMs as number;
    const between = (await list(`?createdAfter=${created(ids[2])}&createdBefore=${created(ids[5])}`)).body.items.map((i) => i.id);
    expect(between).toEqual([ids[4], ids[3], ids[2]]);
  });

  it('bad queries are 400 with the error shape; a deleted recording leaves the list', async () => {
    for (const qs of ['?limit=abc', '?status=nope', '?cursor=garbage', '?unknown=1']) {
      const r = await list(qs);
      expect(r.status).toBe(400);
      expect((r.body as unknown as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    expect((await fetch(`${svc.url}/v1/recordings/${ids[0]}`, { method: 'DELETE' })).status).toBe(200);
    expect((await list('')).body.items.map((i) => i.id)).not.toContain(ids[0]);
  });
});
