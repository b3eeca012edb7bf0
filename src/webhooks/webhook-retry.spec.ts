import { endpointWants, webhookMessageId } from './webhook-events';
import { webhookAttemptsFor, webhookBackoffDelayMs, webhookRetrySettings, WEBHOOK_BACKOFF_TYPE } from './webhook-retry';

describe('webhook retry settings', () => {
  it('backs off exponentially from 5 s, capped at 1 h', () => {
    expect([1, 2, 3].map((n) => webhookBackoffDelayMs(n))).toEqual([5000, 10000, 20000]);
    expect(webhookBackoffDelayMs(30)).toBe(3_600_000);
  });

  it('makes retries span at least WEBHOOK_RETRY_HOURS', () => {
    for (const hours of [1, 24, 72]) {
      const attempts = webhookAttemptsFor(hours);
      let total = 0;
      for (let i = 1; i < attempts; i++) total += webhookBackoffDelayMs(i);
      expect(total).toBeGreaterThanOrEqual(hours * 3_600_000);
      expect(total - webhookBackoffDelayMs(attempts - 1)).toBeLessThan(hours * 3_600_000);
    }
    const s = webhookRetrySettings(24);
    expect(s.jobOptions.backoff.type).toBe(WEBHOOK_BACKOFF_TYPE);
    expect(s.workerSettings.backoffStrategy(2, WEBHOOK_BACKOFF_TYPE)).toBe(10_000);
  });

  it('filters events per endpoint, segment_stored only when opted in', () => {
    const all = { url: 'http://x', secret: 'abcdefgh' };
    expect(endpointWants(all, 'recording.completed')).toBe(true);
    expect(endpointWants(all, 'recording.segment_stored')).toBe(false);
    expect(endpointWants({ ...all, events: ['recording.segment_stored'] }, 'recording.segment_stored')).toBe(true);
    expect(endpointWants({ ...all, events: ['recording.segment_stored'] }, 'recording.completed')).toBe(false);
  });

  it('gives deterministic message ids', () => {
    const a = webhookMessageId({ recordingId: 'r', event: 'recording.completed', url: 'http://x' });
    expect(a).toBe(webhookMessageId({ recordingId: 'r', event: 'recording.completed', url: 'http://x' }));
    expect(a).not.toBe(webhookMessageId({ recordingId: 'r', event: 'recording.failed', url: 'http://x' }));
    expect(a).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });
});
