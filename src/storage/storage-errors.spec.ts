import { RecbotError } from '../common/errors';
import { classifyStorageError, isNotFound } from './storage-errors';
import { encodeTagging, md5FromEtag } from './storage-util';
import { resolveRange } from './fs-storage.driver';

const sdkError = (name: string, status?: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('classifyStorageError', () => {
  it.each([
    [sdkError('InternalError', 500), 'STORAGE_UNAVAILABLE', true],
    [sdkError('SlowDown', 503), 'STORAGE_UNAVAILABLE', true],
    [sdkError('Whatever', 502), 'STORAGE_UNAVAILABLE', true],
    [sdkError('TooManyRequests', 429), 'STORAGE_UNAVAILABLE', true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'STORAGE_UNAVAILABLE', true],
    [sdkError('TimeoutError'), 'STORAGE_UNAVAILABLE', true],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9'), 'STORAGE_UNAVAILABLE', true],
    [sdkError('AccessDenied', 403), 'STORAGE_ACCESS_DENIED', false],
    [sdkError('SignatureDoesNotMatch', 403), 'STORAGE_ACCESS_DENIED', false],
    [sdkError('InvalidArgument', 400), 'STORAGE_FAILED', false],
    [sdkError('NoSuchKey', 404), 'STORAGE_NOT_FOUND', false],
    [sdkError('InvalidRange', 416), 'STORAGE_INVALID_RANGE', false],
    ['a string', 'STORAGE_FAILED', false],
  ])('%s -> %s (retryable %s)', (err, code, retryable) => {
    const e = classifyStorageError(err, 'put', 'k');
    expect(e).toBeInstanceOf(RecbotError);
    expect(e).toMatchObject({ code, retryable });
    expect(e.message).toContain('put k failed');
  });

  it('passes RecbotErrors through and detects not-found', () => {
    const orig = new RecbotError('STORAGE_FAILED', 'x', { retryable: true });
    expect(classifyStorageError(orig, 'get')).toBe(orig);
    expect(isNotFound(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(true);
    expect(isNotFound(sdkError('NotFound', 404))).toBe(true);
    expect(isNotFound(sdkError('AccessDenied', 403))).toBe(false);
  });
});

describe('storage utils', () => {
  it('reads MD5 from single-part ETags only', () => {
    expect(md5FromEtag('"5d41402abc4b2a76b9719d911017c592"')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(md5FromEtag('"5d41402abc4b2a76b9719d911017c592-3"')).toBeUndefined();
    expect(md5FromEtag(undefined)).toBeUndefined();
  });
  it('encodes tagging', () => {
    expect(encodeTagging({ a: 'b c', 'x&y': '=' })).toBe('a=b%20c&x%26y=%3D');
    expect(encodeTagging({})).toBeUndefined();
  });
  it('resolves inclusive and suffix ranges like S3', () => {
    expect(resolveRange({ start: 2, end: 4 }, 10)).toEqual({ start: 2, end: 4 });
    expect(resolveRange({ start: 5 }, 10)).toEqual({ start: 5, end: 9 });
    expect(resolveRange({ start: 5, end: 100 }, 10)).toEqual({ start: 5, end: 9 });
    expect(resolveRange({ start: -3 }, 10)).toEqual({ start: 7, end: 9 });
    expect(resolveRange({ start: -30 }, 10)).toEqual({ start: 0, end: 9 });
    expect(() => resolveRange({ start: 10 }, 10)).toThrow(expect.objectContaining({ code: 'STORAGE_INVALID_RANGE' }));
  });
});
