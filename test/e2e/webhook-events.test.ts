/**
 * Webhooks end to end through the whole service: two endpoints (WEBHOOK_ENDPOINTS) point to a
 * receiver running exactly README.md's verification snippet (its one ```js block) in a child
 * node process, which verifies every signature. A recorded call must send recording.started,
 * transcript.completed and recording.completed (plus one recording.segment_stored per stored segment
 * to the endpoint that opts in); a recording whose room is unreachable must send recording.failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app/bootstrap';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom } from '../../src/testworld/synthetic/test-world';
import { webhookMessageId, type WebhookEvent } from '../../src/webhooks/webhook-events';

jest.setTimeout(150_000);

const SECRET = `whsec_${Buffer.from('e2e-webhook-secret-of-32-bytes!!').toString('base64')}`;

interface Received {
  type: WebhookEvent;
  id: string;
  data: Record<string, unknown>;
  atMs: number;
}

/** The README receiver snippet as a child process; collects what it verified and what it rejected. */
async function startSnippetReceiver(dir: string): Promise<{ port: number; received: Received[]; rejected: string[]; child: ChildProcess }> {
  const md = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const blocks = [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  expect(blocks).toHaveLength(1);
  const file = join(dir, 'receiver.js');
  writeFileSync(file, blocks[0] ?? '');
  const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, PORT: '0', RECBOT_WEBHOOK_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  const received: Received[] = [];
  const rejected: string[] = [];
  let buf = '';
  let port = 0;
  child.stderr?.on('data', (d: Buffer) => rejected.push(`stderr: ${d.toString()}`));
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = /^received (\S+) (\S+) (.*)$/.exec(line);
      if (m) received.push({ type: m[1] as WebhookEvent, id: m[2] as string, data: JSON.parse(m[3] as string) as Record<string, unknown>, atMs: Date.now() });
      else if (line.startsWith('rejected')) rejected.push(line);
      const l = /^listening on (\d+)/.exec(line);
      if (l) port = Number(l[1]);
    }
  });
  const deadline = Date.now() + 10_000;
  while (port === 0) {
    if (Date.now() > deadline) throw new Error('README receiver did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, received, rejected, child };
}

/** A loopback port with nothing listening on it (an unreachable signaling server). */
async function deadPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 1;
}

async function waitUntil<T>(what: string, ms: number, get: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('webhooks through the whole service (README snippet receiver verifies every delivery)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-webhooks-'));
  let receiver: Awaited<ReturnType<typeof startSnippetReceiver>> | undefined;
  let svc: RunningService | undefined;
  let signal: SignalingServerHandle | undefined;
  let room: TestRoom | undefined;

  afterAll(async () => {
    await room?.close().catch(() => undefined);
    await signal?.close().catch(() => undefined);
    await svc?.close().catch(() => undefined);
    receiver?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends started, segment_stored (opt-in), transcript.completed, completed and deleted for a call, failed for an unreachable room', async () => {
    receiver = await startSnippetReceiver(dir);
    const urlAll = `http://127.0.0.1:${receiver.port}/all`;
    const urlSegments = `http://127.0.0.1:${receiver.port}/segments`;
    const endpoints = [
      { url: urlAll, secret: SECRET },
      { url: urlSegments, secret: SECRET, events: ['recording.segment_stored', 'recording.completed', 'recording.failed'] },
    ];
    svc = await startService({
      WORK_DIR: join(dir, 'work'),
      LOG_LEVEL: 'warn',
      ICE_LOOPBACK_ONLY: 'true',
      OUTBOUND_ALLOW: 'loopback',
      HTTP_PORT: '0',
      SEGMENT_SECONDS: '5',
      BOT_EMPTY_ROOM_TIMEOUT_MS: '3000',
      WEBHOOK_ENDPOINTS: JSON.stringify(endpoints),
    });
    signal = await startSignalingServer({});
    room = new TestRoom(signal.url);
    await room.participant('Ann', { host: true });
    await room.participant('Bob');

    const post = async (body: Record<string, unknown>): Promise<string> => {
      const res = await fetch(`${svc?.url}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const manifestOf = async (id: string): Promise<RecordingManifest> =>
      ((await (await fetch(`${svc?.url}/v1/recordings/${id}`)).json()) as { manifest: RecordingManifest }).manifest;

    const okId = await post({ signalingUrl: signal.url, roomId: room.roomId, maxDurationS: 12, metadata: { candidate: 'c-7' } });
    const badId = await post({ signalingUrl: `http://127.0.0.1:${await deadPort()}`, roomId: 'nobody-here', maxDurationS: 10 });

    const got = receiver.received;
    const idFor = (recordingId: string, event: WebhookEvent, url: string, key?: string): string => webhookMessageId({ recordingId, event, url, key });
    const has = (recordingId: string, event: WebhookEvent, url: string): boolean => got.some((r) => r.id === idFor(recordingId, event, url));

    // The failing recording: recording.failed to both endpoints, with the reason.
    await waitUntil('recording.failed', 60_000, () => (has(badId, 'recording.failed', urlAll) && has(badId, 'recording.failed', urlSegments) ? true : undefined));
    const failed = got.find((r) => r.id === idFor(badId, 'recording.failed', urlAll));
    expect(failed?.data).toMatchObject({ recordingId: badId, status: 'failed' });
    expect(String(failed?.data.reason)).toMatch(/no media recorded/);
    expect((await manifestOf(badId)).status).toBe('failed');

    // The recorded call.
    const final = await waitUntil('recording.completed', 120_000, async () => {
      if (!(has(okId, 'recording.completed', urlAll) && has(okId, 'recording.completed', urlSegments))) return undefined;
      return manifestOf(okId);
    });
    await room.close();
    expect(final.status).toBe('completed');
    const mine = got.filter((r) => r.data.recordingId === okId);
    const at = (event: WebhookEvent, url: string): number => mine.findIndex((r) => r.id === idFor(okId, event, url));

    // Default endpoint: every lifecycle event once, in order; never the opt-in segment event.
    expect(mine.filter((r) => r.id === idFor(okId, 'recording.started', urlAll))).toHaveLength(1);
    expect(mine.filter((r) => r.id === idFor(okId, 'transcript.completed', urlAll))).toHaveLength(1);
    expect(at('recording.started', urlAll)).toBeLessThan(at('transcript.completed', urlAll));
    expect(at('transcript.completed', urlAll)).toBeLessThan(at('recording.completed', urlAll));
    const tx = mine.find((r) => r.id === idFor(okId, 'transcript.completed', urlAll));
    expect((tx?.data.outputs as { key: string }[]).map((o) => o.key).sort()).toEqual(
      ['json', 'srt', 'txt', 'vtt'].map((f) => `recordings/${okId}/transcript.${f}`),
    );
    const done = mine.find((r) => r.id === idFor(okId, 'recording.completed', urlAll));
    expect(done?.data.metadata).toEqual({ candidate: 'c-7' });
    expect((done?.data.outputs as { kind: string }[]).map((o) => o.kind)).toEqual(expect.arrayContaining(['speaker', 'mix', 'transcript']));
    const segmentIds = new Set(final.segments.map((s) => idFor(okId, 'recording.segment_stored', urlAll, s.key)));
    expect(mine.some((r) => segmentIds.has(r.id))).toBe(false);

    // Opt-in endpoint: one recording.segment_stored per stored segment (exactly the manifest's keys),
    // all before recording.completed, and no events it did not subscribe to.
    const segEvents = mine.filter((r) => r.type === 'recording.segment_stored');
    const keys = final.segments.map((s) => s.key).sort();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(segEvents.map((r) => (r.data.segment as { key: string }).key).sort()).toEqual(keys);
    for (const e of segEvents) {
      const seg = e.data.segment as { key: string; participantId: string; trackKey: string; seq: number };
      expect(e.id).toBe(idFor(okId, 'recording.segment_stored', urlSegments, seg.key));
      expect(final.segments.some((s) => s.key === seg.key && s.participantId === seg.participantId && s.trackKey === seg.trackKey && s.seq === seg.seq)).toBe(true);
    }
    expect(Math.max(...segEvents.map((r) => mine.indexOf(r)))).toBeLessThan(at('recording.completed', urlSegments));
    expect(has(okId, 'recording.started', urlSegments) || has(okId, 'transcript.completed', urlSegments)).toBe(false);

    // Every delivery verified; the manifest records the terminal deliveries (both endpoints, none lost).
    expect(receiver.rejected).toEqual([]);
    const okDeliveries = async (rid: string): Promise<RecordingManifest['webhooks']> => (await manifestOf(rid)).webhooks.filter((w) => w.ok);
    // Appended right after each delivery returns.
    await waitUntil('recorded deliveries', 15_000, async () => ((await okDeliveries(okId)).length >= 2 && (await okDeliveries(badId)).length >= 2 ? true : undefined)).catch(() => undefined);
    const recorded = (await okDeliveries(okId)).map((w) => `${w.event} ${w.url}`);
    expect(recorded.sort()).toEqual([`recording.completed ${urlAll}`, `recording.completed ${urlSegments}`].sort());
    const failedRecorded = (await okDeliveries(badId)).map((w) => w.url);
    expect(failedRecorded.sort()).toEqual([urlAll, urlSegments].sort());

    // DELETE is a terminal state too: recording.deleted to the default endpoint only (the other did
    // not subscribe), with the data fixed at delete time (the manifest is gone by delivery).
    const del = await fetch(`${svc?.url}/v1/recordings/${okId}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const deleted = await waitUntil('recording.deleted', 30_000, () => got.find((r) => r.id === idFor(okId, 'recording.deleted', urlAll)));
    expect(deleted.data).toMatchObject({ recordingId: okId, status: 'deleted', metadata: { candidate: 'c-7' } });
    expect(deleted.data.deletedObjects).toBeGreaterThan(0);
    expect((await fetch(`${svc?.url}/v1/recordings/${okId}`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 500));
    expect(has(okId, 'recording.deleted', urlSegments)).toBe(false);
    expect(receiver.rejected).toEqual([]);
    process.stdout.write(`webhooks e2e: ${mine.length} deliveries for the call (${segEvents.length} segment_stored), failed recording notified, deletion notified\n`);
  });
});
