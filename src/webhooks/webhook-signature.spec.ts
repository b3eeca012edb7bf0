import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook, webhookSecretKey } from './webhook-signature';

describe('Standard Webhooks signing', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"type":"recording.completed","data":{"recordingId":"r1"}}';

  it('signs {id}.{timestamp}.{body} with the base64-decoded whsec_ key', () => {
    const h = signWebhook({ secret, id: 'msg_1', timestampSec: 1700000000.9, body });
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef'))
      .update(`msg_1.1700000000.${body}`)
      .digest('base64');
    expect(h).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${expected}` });
    expect(webhookSecretKey('plain-secret')).toEqual(Buffer.from('plain-secret'));
  });

  it('verifies a good delivery and returns the body', () => {
    const headers = signWebhook({ secret, id: 'msg_1', timestampSec: 1000, body });
    expect(verifyWebhook({ secret, headers: { ...headers }, body, nowSec: 1100 })).toEqual(JSON.parse(body));
    // several signatures (secret rotation): any match is enough
    const multi = { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` };
    expect(verifyWebhook({ secret, headers: multi, body, nowSec: 1000 })).toBeDefined();
  });

  it('rejects tampering, wrong secrets, stale timestamps and missing headers', () => {
    const headers = { ...signWebhook({ secret: 'plain-secret', id: 'msg_2', timestampSec: 1000, body }) };
    expect(() => verifyWebhook({ secret: 'plain-secret', headers, body: body.replace('r1', 'r2'), nowSec: 1000 })).toThrow(/no matching signature/);
    expect(() => verifyWebhook({ secret: 'other-secret', headers, body, nowSec: 1000 })).toThrow(/no matching signature/);
    expect(() => verifyWebhook({ secret: 'plain-secret', headers, body, nowSec: 1000 + 301 })).toThrow(/tolerance/);
    expect(() => verifyWebhook({ secret: 'plain-secret', headers: {}, body })).toThrow(/missing/);
  });
});
