/**
 * Webhook delivery through a real BullMQ queue on a real redis-server: a local receiver verifies
 * every signature, answers 500 twice, then accepts the third delivery; a tampered signature is
 * rejected; timeouts, unreachable receivers and 410 classify as specified.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker, UnrecoverableError } from 'bullmq';
import { RecbotError } from '../../src/common/errors';
import type { WebhookDelivery } from '../../src/manifest/manifest.types';
import { createWebhookJobHandler, type WebhookJobInput } from '../../src/webhooks/webhook-job';
import { webhookRetrySettings } from '../../src/webhooks/webhook-retry';
import { WebhookDeliveryError, WebhookSender } from '../../src/webhooks/webhook-sender';
import { signWebhook, verifyWebhook } from '../../src/webhooks/webhook-signature';
import { startTestRedis } from '../support/redis-server';
import { webhookDeliveries } from '../../src/webhooks/webhook.metrics';
import type { RedisServerHandle } from '../../src/infra/redis-process';

jest.setTimeout(60_000);

const SECRET = `whsec_${Buffer.from('an-example-32-byte-webhook-key!!').toString('base64')}`;

interface Received {
  atMs: number;
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
  status: number;
}

/** A local receiver: verifies signatures (400 if bad), then answers from `statuses` (last repeats). */
async function startReceiver(statuses: number[], delayMs = 0): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      let verified = true;
      try {
        verifyWebhook({ secret: SECRET, headers: req.headers, body });
      } catch {
        verified = false;
      }
      const n = got.filter((g) => g.verified).length;
      const status = verified ? (statuses[Math.min(n, statuses.length - 1)] as number) : 400;
      got.push({ atMs: Date.now(), headers: req.headers, body, verified, status });
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('webhook delivery', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('retries through BullMQ with backoff: 500, 500, then the third delivery is accepted; all signed, same id', async () => {
    const receiver = await startReceiver([500, 500, 204]);
    const records: WebhookDelivery[] = [];
    const handler = createWebhookJobHandler({
      sender: new WebhookSender({ timeoutMs: 2000 }),
      endpoints: [{ url: receiver.url, secret: SECRET }],
      payloadFor: async (recordingId) => ({ data: { recordingId, status: 'completed' }, occurredMs: 1_700_000_000_000 }),
      deliveries: async () => records,
      record: async (_id, d) => void records.push(d),
    });
    // Same strategy as production, with a 200 ms base instead of 5 s so the test stays short.
    const retry = webhookRetrySettings(24, { baseMs: 200, capMs: 3_600_000 });
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const queueName = `webhooks-test-${Date.now()}`;
    const queue = new Queue<WebhookJobInput>(queueName, { connection });
    const worker = new Worker<WebhookJobInput>(
      queueName,
      async (job) => {
        try {
          return await handler(job.data, { attempt: job.attemptsMade + 1 });
        } catch (err) {
          throw err instanceof RecbotError && !err.retryable ? new UnrecoverableError(err.message) : err;
        }
      },
      { connection, settings: retry.workerSettings },
    );
    try {
      const done = new Promise<unknown>((resolve, reject) => {
        worker.on('completed', (_job, result) => resolve(result));
        worker.on('failed', (job, err) => {
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) reject(err);
        });
      });
      await queue.add('Webhook', { recordingId: 'rec-1', event: 'recording.completed' }, { ...retry.jobOptions, jobId: 'webhook.rec-1.completed' });
      expect(await done).toEqual({ delivered: 1, skipped: 0 });

      expect(receiver.got.map((g) => [g.verified, g.status])).toEqual([
        [true, 500],
        [true, 500],
        [true, 204],
      ]);
      const ids = new Set(receiver.got.map((g) => g.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const gaps = receiver.got.slice(1).map((g, i) => g.atMs - (receiver.got[i] as Received).atMs);
      expect(gaps[0]).toBeGreaterThanOrEqual(190); // 200 ms backoff
      expect(gaps[1]).toBeGreaterThanOrEqual(390); // 400 ms backoff
      expect(JSON.parse(receiver.got[2]?.body ?? '')).toEqual({
        type: 'recording.completed',
        timestamp: '2023-11-14T22:13:20.000Z',
        data: { recordingId: 'rec-1', status: 'completed' },
      });
      expect(records.map((r) => [r.attempt, r.status, r.ok])).toEqual([
        [1, 500, false],
        [2, 500, false],
        [3, 204, true],
      ]);
      expect(retry.jobOptions.attempts).toBeGreaterThan(3);
      const counts = (await webhookDeliveries.get()).values.map((v) => [v.labels.event, v.labels.outcome, v.value]);
      expect(counts).toEqual(
        expect.arrayContaining([
          ['recording.completed', 'retryable', 2],
          ['recording.completed', 'ok', 1],
        ]),
      );
      console.log(`webhook retries: deliveries at +0, +${gaps[0]} ms, +${(gaps[0] ?? 0) + (gaps[1] ?? 0)} ms; production attempts for 24 h: ${webhookRetrySettings(24).jobOptions.attempts}`);

      // A retried job after success sends nothing again (already delivered, by deterministic id).
      expect(await handler({ recordingId: 'rec-1', event: 'recording.completed' }, { attempt: 4 })).toEqual({ delivered: 0, skipped: 1 });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await receiver.close();
    }
  });

  it('a tampered signature or body is rejected by the verifying receiver', async () => {
    const receiver = await startReceiver([204]);
    try {
      const body = JSON.stringify({ type: 'recording.started', timestamp: new Date().toISOString(), data: { recordingId: 'r' } });
      const h = signWebhook({ secret: SECRET, id: 'msg_t', timestampSec: Date.now() / 1000, body });
      const sig = h['webhook-signature'];
      // Change a base64 character in the middle: the last one before '=' carries 2 unused bits, so
      // changing it may leave the decoded HMAC identical (that made this test flaky).
      const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      const post = (headers: Record<string, string>, b: string) => fetch(receiver.url, { method: 'POST', headers, body: b }).then((r) => r.status);
      expect(await post({ ...h, 'webhook-signature': flipped }, body)).toBe(400);
      expect(await post({ ...h }, body.replace('"r"', '"x"'))).toBe(400);
      expect(await post({ ...h }, body)).toBe(204);
      expect(receiver.got.map((g) => g.verified)).toEqual([false, false, true]);
    } finally {
      await receiver.close();
    }
  });

  it('classifies timeouts, unreachable receivers and 410 Gone', async () => {
    const sender = new WebhookSender({ timeoutMs: 300 });
    const slow = await startReceiver([204], 2000);
    const gone = await startReceiver([410]);
    const closed = await startReceiver([204]);
    await closed.close();
    try {
      const fail = (url: string) =>
        sender.deliver({ url, secret: SECRET }, 'recording.failed', { recordingId: 'r' }, { webhookId: 'msg_c' }).catch((e: unknown) => e);
      const started = Date.now();
      const t = await fail(slow.url);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(t).toBeInstanceOf(WebhookDeliveryError);
      expect(t).toMatchObject({ retryable: true, delivery: { ok: false, error: 'timeout after 300 ms' } });
      expect(await fail(closed.url)).toMatchObject({ retryable: true, delivery: { ok: false, error: expect.stringMatching(/^unreachable/) } });
      expect(await fail(gone.url)).toMatchObject({ retryable: false, delivery: { ok: false, status: 410 } });
    } finally {
      await slow.close();
      await gone.close();
    }
  });
});
