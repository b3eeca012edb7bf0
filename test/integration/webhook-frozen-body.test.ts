/**
 * Issue 11: a webhook event's body is fixed when the event is first delivered. The recording's data
 * changes between attempts (participants join, no event time known); the receiver fails the first
 * attempt; the retry, through the real JobRepository/BullMQ on a real redis-server, must carry the
 * same body bytes under the same webhook-id.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { DEFAULT_RETRY } from '../../src/jobs/job-options';
import { JobRepository } from '../../src/jobs/job.repository';
import { JobName, QueueName } from '../../src/jobs/job.types';
import type { WebhookDelivery } from '../../src/manifest/manifest.types';
import { registerWebhookHandlers } from '../../src/webhooks/webhook.handlers';
import { WebhookSender } from '../../src/webhooks/webhook-sender';
import { verifyWebhook } from '../../src/webhooks/webhook-signature';
import type { RedisServerHandle } from '../../src/infra/redis-process';
import { startTestRedis } from '../support/redis-server';

jest.setTimeout(60_000);

const SECRET = `whsec_${Buffer.from('another-32-byte-webhook-key-here').toString('base64')}`;

describe('webhook body fixed at the event', () => {
  let redis: RedisServerHandle;
  let server: Server;
  let jobs: JobRepository | undefined;
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  let url = '';
  beforeAll(async () => {
    redis = await startTestRedis();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        verifyWebhook({ secret: SECRET, headers: req.headers, body });
        got.push({ headers: req.headers, body });
        res.writeHead(got.length === 1 ? 503 : 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await jobs?.close();
    server.closeAllConnections();
    server.close();
    await redis?.stop();
  });

  it('a retry sends the same bytes under the same webhook-id although the data changed', async () => {
    let calls = 0;
    const records: WebhookDelivery[] = [];
    const registry = new JobHandlerRegistry();
    registerWebhookHandlers(registry, {
      sender: new WebhookSender({ timeoutMs: 2000 }),
      endpoints: [{ url, secret: SECRET }],
      // the manifest as it evolves: one more participant on every read, no event time
      payloadFor: async (recordingId) => {
        calls += 1;
        return { data: { recordingId, status: 'recording', participants: Array.from({ length: calls }, (_, i) => ({ participantId: `p${i}` })) } };
      },
      deliveries: async () => records,
      record: async (_id, d) => void records.push(d),
    });
    for (const name of Object.values(JobName)) if (name !== JobName.Webhook) registry.register(name, async () => null);
    jobs = new JobRepository({ redisUrl: redis.url, prefix: 'frozen', retry: { ...DEFAULT_RETRY, [QueueName.Webhooks]: { attempts: 3, backoffMs: 300 } } });
    jobs.startWorkers(registry, { queues: [QueueName.Webhooks] });
    await jobs.add({ name: JobName.Webhook, data: { recordingId: 'rec-frozen', event: 'recording.started' } });
    const end = Date.now() + 20_000;
    while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(2);
    expect(got[1]?.headers['webhook-id']).toBe(got[0]?.headers['webhook-id']);
    expect(got[1]?.body).toBe(got[0]?.body);
    expect(calls).toBe(1); // read once, when the event was first handled
    expect(records.map((r) => r.ok)).toEqual([false, true]);
  });
});
