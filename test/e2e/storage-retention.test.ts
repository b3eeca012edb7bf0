/**
 * Issue 6, acceptance 2: retention through the whole service on Ceph RGW (a lifecycle "day" is 10 s):
 * the lifecycle rule really expires a recording's staging segments once its outputs are published;
 * DELETE /v1/recordings/:id leaves no object (no version) behind; with OBJECT_LOCK_MODE=GOVERNANCE
 * on an Object Lock bucket, a published output cannot be deleted (not by S3, not by the API).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectRetentionCommand, HeadObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { startService, type RunningService } from '../../src/app/bootstrap';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';
import { createTestBucket } from '../support/rgw';
import { BASE_ENV, createRecording, isFinal, listKeys, s3Env, waitForManifest } from './pipeline-e2e.support';

jest.setTimeout(200_000);

interface Setup {
  svc: RunningService;
  room: TestRoom;
  bucket: string;
  client: S3Client;
  id: string;
  done: Promise<RecordingManifest>;
}

describe('retention through the service on Ceph RGW', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-e2e-retention-'));
  let signal: SignalingServerHandle | undefined;
  const setups: Setup[] = [];
  let plain: Setup;
  let locked: Setup;

  /** A service on its own bucket recording a one-speaker 12 s call (both run at the same time). */
  async function record(name: string, env: Record<string, string>, objectLock: boolean): Promise<Setup> {
    const { bucket, info, client } = await createTestBucket(name, { objectLock });
    const svc = await startService({ ...BASE_ENV, ...s3Env(info, bucket), WORK_DIR: path.join(dir, name), ...env });
    const room = new TestRoom(signal!.url);
    await room.participant('Solo', { host: true });
    const id = await createRecording(svc.url, { signalingUrl: signal!.url, roomId: room.roomId, maxDurationS: 12, transcribe: false });
    const done = waitForManifest(svc.url, id, isFinal, 120_000);
    done.catch(() => undefined);
    const s = { svc, room, bucket, client, id, done };
    setups.push(s);
    return s;
  }

  beforeAll(async () => {
    signal = await startSignalingServer({});
    [plain, locked] = await Promise.all([
      record('e2e-lifecycle', { STAGING_EXPIRE_DAYS: '1' }, false),
      record('e2e-lock', { OBJECT_LOCK_MODE: 'GOVERNANCE', OBJECT_LOCK_DAYS: '1' }, true),
    ]);
  });
  afterAll(async () => {
    for (const s of setups) {
      await s.room.close().catch(() => undefined);
      await s.svc.close().catch(() => undefined);
    }
    await signal?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('expires the staging segments after publish (lifecycle rule applied at start), keeping the outputs', async () => {
    const m = await plain.done;
    expect(m.status).toBe('completed');
    const prefix = `recordings/${plain.id}/`;
    const segKeys = m.segments.map((s) => s.key as string);
    expect(new Set(m.segments.map((s) => s.trackKey)).size).toBe(2); // audio and video segments
    expect(segKeys.every((k) => typeof k === 'string')).toBe(true);
    const before = await listKeys(plain.client, plain.bucket, prefix);
    expect(before).toEqual(expect.arrayContaining(segKeys));
    const published = Date.now();
    let keys = before;
    while (Date.now() - published < 110_000 && keys.some((k) => segKeys.includes(k))) {
      await sleep(3000);
      keys = await listKeys(plain.client, plain.bucket, prefix);
    }
    console.log(`staging segments expired ${Math.round((Date.now() - published) / 1000)} s after publish; left: ${keys.join(', ')}`);
    expect(keys.filter((k) => segKeys.includes(k))).toEqual([]);
    expect(keys).toEqual(expect.arrayContaining([...m.outputs.map((o) => o.key), `${prefix}manifest.json`]));
  });

  it('DELETE /v1/recordings/:id leaves no object and no version behind', async () => {
    await plain.done;
    const res = await fetch(`${plain.svc.url}/v1/recordings/${plain.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await listKeys(plain.client, plain.bucket, `recordings/${plain.id}/`)).toEqual([]);
    const v = await plain.client.send(new ListObjectVersionsCommand({ Bucket: plain.bucket, Prefix: `recordings/${plain.id}/` }));
    expect([...(v.Versions ?? []), ...(v.DeleteMarkers ?? [])]).toEqual([]);
    expect((await fetch(`${plain.svc.url}/v1/recordings/${plain.id}`)).status).toBe(404);
  });

  it('Object Lock (GOVERNANCE): published outputs carry a retention and refuse deletion', async () => {
    const m = await locked.done;
    expect(m.status).toBe('completed');
    const speaker = m.outputs.find((o) => o.kind === 'speaker');
    expect(speaker).toBeDefined();
    const key = speaker!.key;
    const head = await locked.client.send(new HeadObjectCommand({ Bucket: locked.bucket, Key: key }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const r = await locked.client.send(new GetObjectRetentionCommand({ Bucket: locked.bucket, Key: key }));
    expect(r.Retention?.Mode).toBe('GOVERNANCE');
    // Deleting the locked version is refused by the server...
    await expect(locked.client.send(new DeleteObjectCommand({ Bucket: locked.bucket, Key: key, VersionId: head.VersionId }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    // ...and by the API (which deletes what it may and reports the locked rest).
    const res = await fetch(`${locked.svc.url}/v1/recordings/${locked.id}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Object Lock/);
    // The recording stays visible, with the refusal in its history.
    const after = await fetch(`${locked.svc.url}/v1/recordings/${locked.id}`);
    expect(after.status).toBe(200);
    const kept = ((await after.json()) as { manifest: { statusHistory: { reason?: string }[] } }).manifest;
    expect(kept.statusHistory.some((h) => /delete refused/.test(h.reason ?? ''))).toBe(true);
    const v = await locked.client.send(new ListObjectVersionsCommand({ Bucket: locked.bucket, Prefix: key }));
    expect((v.Versions ?? []).map((x) => x.VersionId)).toContain(head.VersionId);
  });
});
