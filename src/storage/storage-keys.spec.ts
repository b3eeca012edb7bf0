import { RecbotError } from '../common/errors';
import { assertSafeKey, assertSafePrefix, isSafeId, parseSegmentKey, sanitizeId, storageKeys } from './storage-keys';

describe('storageKeys', () => {
  it('builds the design.md object layout', () => {
    expect(storageKeys.manifest('rec-1')).toBe('recordings/rec-1/manifest.json');
    expect(storageKeys.segment('rec-1', 'alice', 'audio', 7)).toBe('recordings/rec-1/segments/alice/audio/000007.webm');
    expect(storageKeys.segment('rec-1', 'p', 'video', 1234567)).toBe('recordings/rec-1/segments/p/video/1234567.webm');
    expect(storageKeys.speaker('rec-1', 'bob')).toBe('recordings/rec-1/speakers/bob.webm');
    expect(storageKeys.mix('rec-1')).toBe('recordings/rec-1/mix.webm');
    expect(storageKeys.transcript('rec-1', 'vtt')).toBe('recordings/rec-1/transcript.vtt');
    expect(storageKeys.recordingPrefix('rec-1')).toBe('recordings/rec-1/');
    expect(storageKeys.segmentsPrefix('rec-1')).toBe('recordings/rec-1/segments/');
  });

  it.each([
    ['../etc'],
    ['..'],
    ['.'],
    ['a/b'],
    ['a\\b'],
    ['a\u0000b'],
    ['line\nbreak'],
    [''],
    ['-starts-with-dash'],
    ['has space'],
    ['a..b'],
  ])('rejects hostile id %j with a non-retryable error', (id) => {
    for (const build of [
      () => storageKeys.manifest(id),
      () => storageKeys.segment('r', id, 'audio', 0),
      () => storageKeys.segment('r', 'p', id, 0),
      () => storageKeys.speaker('r', id),
    ]) {
      let err: unknown;
      try {
        build();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RecbotError);
      expect(err).toMatchObject({ code: 'STORAGE_INVALID_KEY', retryable: false });
    }
  });

  it('rejects ids longer than 128 characters', () => {
    expect(() => storageKeys.manifest('x'.repeat(129))).toThrow(expect.objectContaining({ code: 'STORAGE_INVALID_KEY' }));
    expect(storageKeys.manifest('x'.repeat(128))).toContain('x'.repeat(128));
  });

  it('rejects bad sequence numbers and transcript formats', () => {
    expect(() => storageKeys.segment('r', 'p', 'audio', -1)).toThrow(RecbotError);
    expect(() => storageKeys.segment('r', 'p', 'audio', 1.5)).toThrow(RecbotError);
    expect(() => storageKeys.transcript('r', 'exe' as never)).toThrow(RecbotError);
  });

  it('parses segment keys back', () => {
    expect(parseSegmentKey('recordings/r/segments/p/screen/000042.webm')).toEqual({
      recordingId: 'r',
      participantId: 'p',
      track: 'screen',
      seq: 42,
    });
    expect(parseSegmentKey('recordings/r/segments/p/video/000007.mkv')).toMatchObject({ track: 'video', seq: 7 });
    expect(parseSegmentKey('recordings/r/segments/p/video/000007.mp4')).toBeUndefined();
    expect(parseSegmentKey('recordings/r/mix.webm')).toBeUndefined();
    expect(parseSegmentKey('recordings/../segments/p/a/000001.webm')).toBeUndefined();
  });
});

describe('sanitizeId', () => {
  it('keeps safe ids and maps unsafe ones to distinct safe ids', () => {
    expect(sanitizeId('socket_AbC-12')).toBe('socket_AbC-12');
    const a = sanitizeId('../../etc/passwd');
    const b = sanitizeId('..//..//etc/passwd');
    for (const s of [a, b, sanitizeId('user@example.com'), sanitizeId('\u0000'), sanitizeId('x'.repeat(5000))]) {
      expect(isSafeId(s)).toBe(true);
      expect(() => storageKeys.speaker('r', s)).not.toThrow();
    }
    expect(a).not.toBe(b);
    expect(sanitizeId('user@example.com')).toMatch(/^user_example.com_[0-9a-f]{10}$/);
  });
});

describe('assertSafeKey / assertSafePrefix', () => {
  it('accepts normal keys and prefixes', () => {
    expect(assertSafeKey('recordings/r/mix.webm')).toBe('recordings/r/mix.webm');
    expect(assertSafePrefix('')).toBe('');
    expect(assertSafePrefix('recordings/r/')).toBe('recordings/r/');
  });
  it.each(['/abs', 'a//b', 'a/../b', './a', 'a/.', 'a\\b', 'a\tb', ''])('rejects %j', (key) => {
    expect(() => assertSafeKey(key)).toThrow(expect.objectContaining({ code: 'STORAGE_INVALID_KEY' }));
  });
  it('rejects keys over 1024 bytes', () => {
    expect(() => assertSafeKey('k'.repeat(1025))).toThrow(expect.objectContaining({ code: 'STORAGE_INVALID_KEY' }));
  });
  it('rejects a hostile prefix', () => {
    expect(() => assertSafePrefix('../')).toThrow(RecbotError);
    expect(() => assertSafePrefix('/etc/')).toThrow(RecbotError);
  });
});
