/**
 * Issue 6, acceptance 1: sync through the whole service (real bot + recorder + uploader + S3 path).
 * Three synthetic speakers join at different times, one mutes for 20 s; every speaker's input has a
 * beep and a flash at one known wall time. Each published speaker file (downloaded from Ceph RGW)
 * must last the session length (+-100 ms), show the event where it was sent (+-40 ms, the same in
 * every file) and keep audio and video together (<= 40 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';
import { createTestBucket } from '../support/rgw';
import { beepTimeS, flashTimeS } from '../integration/pipeline-fixtures';
import {
  BASE_ENV, dumpRecording, createRecording, decodeErrors, download, ensureEventMedia, eventSources, isFinal, probe, s3Env, waitForManifest, type SentEvent,
} from './pipeline-e2e.support';

jest.setTimeout(240_000);

describe('sync through bot, recorder, uploader and S3 (3 speakers, late joins, a 20 s mute)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-e2e-sync-'));
  let svc: RunningService | undefined;
  let signal: SignalingServerHandle | undefined;
  let room: TestRoom | undefined;
  afterAll(async () => {
    await room?.close().catch(() => undefined);
    await signal?.close().catch(() => undefined);
    await svc?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('places every speaker on the session clock: full length, the event at the same time everywhere, A/V in step', async () => {
    const { bucket, info, client } = await createTestBucket('e2e-sync');
    svc = await startService({ ...BASE_ENV, ...s3Env(info, bucket), WORK_DIR: path.join(dir, 'work') });
    signal = await startSignalingServer({});
    room = new TestRoom(signal.url);
    const files = await ensureEventMedia(path.join(tmpdir(), 'recbot-media-cache'));
    const t0 = Date.now();
    const eventWallMs = t0 + 36_000;
    const sent: Record<string, SentEvent> = {};
    const join = async (name: string, host: boolean) => {
      const ev = eventSources(files, eventWallMs);
      const p = await room!.participant(name, { host, media: ev.media });
      ev.attach(p.audio, p.video);
      sent[p.id] = ev.sent;
      return p;
    };
    await join('Alice', true);
    const id = await createRecording(svc.url, { signalingUrl: signal.url, roomId: room.roomId, maxDurationS: 44, transcribe: false });
    await sleep(5000);
    const bob = await join('Bob', false);
    await sleep(5000);
    await join('Carol', false);
    await sleep(3000);
    bob.mute(20_000); // ~13 s .. ~33 s; the event is at 36 s
    const m = await waitForManifest(svc.url, id, isFinal, 150_000).catch(async (err: unknown) => {
      if (process.env.RECBOT_E2E_DEBUG_DIR) await dumpRecording(client, bucket, id, process.env.RECBOT_E2E_DEBUG_DIR);
      throw err;
    });
    expect(m.status).toBe('completed');

    const sessionMs = (m.sessionEndMs ?? 0) - m.sessionStartMs;
    const speakers = m.outputs.filter((o) => o.kind === 'speaker');
    expect(speakers.map((o) => o.participantId).sort()).toEqual(Object.keys(sent).sort());
    const rows: Record<string, number | string>[] = [];
    for (const o of speakers) {
      const pid = o.participantId as string;
      const file = await download(client, bucket, o.key, path.join(dir, `${pid}.webm`));
      const p = await probe(file);
      expect(p.streams).toEqual(['audio', 'video']);
      expect(await decodeErrors(file)).toBe('');
      const beepMs = (await beepTimeS(file)) * 1000;
      const flashMs = (await flashTimeS(file)) * 1000;
      const s = sent[pid] as SentEvent;
      expect(s.beepWallMs).toBeDefined();
      expect(s.flashWallMs).toBeDefined();
      const wantBeep = (s.beepWallMs as number) - m.sessionStartMs;
      const wantFlash = (s.flashWallMs as number) - m.sessionStartMs;
      rows.push({
        pid: pid.slice(0, 8), durMs: Math.round(p.durationS * 1000), sessionMs, beepErrMs: Math.round(beepMs - wantBeep), flashErrMs: Math.round(flashMs - wantFlash),
        avOffsetMs: Math.round(beepMs - flashMs - (wantBeep - wantFlash)), rawBeepMs: Math.round(beepMs), rawFlashMs: Math.round(flashMs),
      });
    }
    console.log(`sync through the service (event sent at session ${eventWallMs - m.sessionStartMs} ms):\n${JSON.stringify(rows, null, 1)}`);
    for (const r of rows) {
      expect(Math.abs((r.durMs as number) - sessionMs)).toBeLessThanOrEqual(100);
      expect(Math.abs(r.beepErrMs as number)).toBeLessThanOrEqual(40);
      expect(Math.abs(r.flashErrMs as number)).toBeLessThanOrEqual(40);
      expect(Math.abs(r.avOffsetMs as number)).toBeLessThanOrEqual(40);
    }
    // The same event sits at the same session time in every file (beep: 20 ms send granularity).
    const beeps = rows.map((r) => r.rawBeepMs as number);
    expect(Math.max(...beeps) - Math.min(...beeps)).toBeLessThanOrEqual(40);
    // The muted speaker's gap is kept as a gap (not squeezed out): Bob's file still has full length
    // and his event is in place (checked above); the manifest lists his segments in two runs.
    const bobSegs = m.segments.filter((s) => s.participantId === bob.id && s.trackKey && s.timeline);
    expect(bobSegs.length).toBeGreaterThan(0);
  });
});
