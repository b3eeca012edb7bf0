import { RecbotError } from '../common/errors';
import { parseCreateRecording } from './recording-request';

describe('parseCreateRecording', () => {
  it('accepts a minimal valid body', () => {
    const r = parseCreateRecording({ signalingUrl: 'http://127.0.0.1:3000', roomId: '123-456' });
    expect(r.roomId).toBe('123-456');
  });

  it.each([
    [null],
    ['str'],
    [{}],
    [{ signalingUrl: 'ftp://x', roomId: 'a' }],
    [{ signalingUrl: 'http://x', roomId: '' }],
    [{ signalingUrl: 'http://x', roomId: 'a\u0000b' }],
    [{ signalingUrl: 'http://x', roomId: 'x'.repeat(300) }],
    [{ signalingUrl: 'http://x', roomId: 'a', extra: 1 }],
    [{ signalingUrl: 'http://x', roomId: 'a', maxDurationS: -1 }],
  ])('rejects %j with a BAD_REQUEST RecbotError', (body) => {
    expect(() => parseCreateRecording(body)).toThrow(RecbotError);
    try {
      parseCreateRecording(body);
    } catch (e) {
      expect((e as RecbotError).code).toBe('BAD_REQUEST');
      expect((e as RecbotError).retryable).toBe(false);
    }
  });
});
