import type { WebhookDelivery } from '../manifest/manifest.types';
import { createWebhookJobHandler, type WebhookJobDeps } from './webhook-job';
import type { WebhookSender } from './webhook-sender';

describe('webhook job handler', () => {
  const sent: { url: string; event: string; data: Record<string, unknown>; occurredMs?: number }[] = [];
  const sender = {
    deliver: async (endpoint: { url: string }, event: string, data: Record<string, unknown>, o: { webhookId: string; occurredMs?: number }): Promise<WebhookDelivery> => {
      sent.push({ url: endpoint.url, event, data, occurredMs: o.occurredMs });
      return { event, url: endpoint.url, webhookId: o.webhookId, attempt: 1, ok: true, status: 204, atMs: 0 };
    },
  } as unknown as WebhookSender;
  const noManifest = async (): Promise<never> => {
    throw new Error('no manifest');
  };
  beforeEach(() => sent.splice(0));

  it('a snapshot event (recording.deleted) is sent from its queued data, without reading or writing the gone manifest', async () => {
    const deps: WebhookJobDeps = { sender, endpoints: [{ url: 'http://a', secret: 's' }, { url: 'http://b', secret: 's', events: ['recording.completed'] }], payloadFor: noManifest, deliveries: noManifest, record: noManifest };
    const r = await createWebhookJobHandler(deps)({ recordingId: 'r1', event: 'recording.deleted', snapshot: { data: { recordingId: 'r1', status: 'deleted' }, occurredMs: 42 } }, { attempt: 1 });
    expect(r).toEqual({ delivered: 1, skipped: 0 });
    expect(sent).toEqual([{ url: 'http://a', event: 'recording.deleted', data: { recordingId: 'r1', status: 'deleted' }, occurredMs: 42 }]);
  });

  it('other events read the manifest and skip endpoints already served', async () => {
    const recorded: WebhookDelivery[] = [];
    const deps: WebhookJobDeps = {
      sender, endpoints: [{ url: 'http://a', secret: 's' }],
      payloadFor: async () => ({ data: { recordingId: 'r1', status: 'completed' } }),
      deliveries: async () => recorded,
      record: async (_id, d) => void recorded.push(d),
    };
    const handle = createWebhookJobHandler(deps);
    expect(await handle({ recordingId: 'r1', event: 'recording.completed' }, { attempt: 1 })).toEqual({ delivered: 1, skipped: 0 });
    expect(await handle({ recordingId: 'r1', event: 'recording.completed' }, { attempt: 2 })).toEqual({ delivered: 0, skipped: 1 });
    expect(sent).toHaveLength(1);
  });
});
