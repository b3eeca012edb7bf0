import { contentTypeOf, downloadFilename, etagOf, notModified, parseRange, rangeAllowed } from './output-download';

describe('parseRange', () => {
  it('serves one bytes range: first-last, open-ended, suffix; clamps the end', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=500-', 1000)).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(parseRange('bytes=990-2000', 1000)).toEqual({ kind: 'partial', start: 990, end: 999 });
  });

  it('416 for ranges past the end or an empty suffix', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=1000-1005', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not serve (whole file, 200)', () => {
    for (const h of [undefined, '', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3', 'bytes=a-b', 'bytes=0-99999999999999999999']) {
      expect(parseRange(h, 1000)).toEqual({ kind: 'full' });
    }
  });
});

describe('conditional requests and types', () => {
  const etag = etagOf('0123abcd');
  it('If-None-Match matches the strong ETag (also weak-compared and in lists) or *', () => {
    expect(etag).toBe('"0123abcd"');
    expect(notModified('"0123abcd"', etag)).toBe(true);
    expect(notModified('"x", W/"0123abcd"', etag)).toBe(true);
    expect(notModified('*', etag)).toBe(true);
    expect(notModified('"other"', etag)).toBe(false);
    expect(notModified(undefined, etag)).toBe(false);
  });

  it('If-Range honours a range only while the ETag matches', () => {
    expect(rangeAllowed(undefined, etag)).toBe(true);
    expect(rangeAllowed('"0123abcd"', etag)).toBe(true);
    expect(rangeAllowed('"stale"', etag)).toBe(false);
  });

  it('content types by extension', () => {
    expect(contentTypeOf('speakers/p1.webm')).toBe('video/webm');
    expect(contentTypeOf('speakers/p1.mkv')).toBe('video/x-matroska');
    expect(contentTypeOf('speakers/p1.mp4')).toBe('video/mp4');
    expect(contentTypeOf('transcript.vtt')).toMatch(/^text\/vtt/);
    expect(contentTypeOf('transcript.srt')).toMatch(/^application\/x-subrip/);
    expect(contentTypeOf('transcript.json')).toMatch(/^application\/json/);
    expect(contentTypeOf('transcript.txt')).toMatch(/^text\/plain/);
    expect(contentTypeOf('x.bin')).toBe('application/octet-stream');
    expect(downloadFilename('abc', 'speakers/p"1.webm')).toBe('abc-speakers-p_1.webm');
  });
});
