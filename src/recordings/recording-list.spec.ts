import { RecbotError } from '../common/errors';
import { newManifest } from '../manifest/manifest-store';
import { afterCursor, decodeCursor, encodeCursor } from './recording-index';
import { inCreatedRange, matchesFilters, parseListQuery } from './recording-list';

describe('GET /v1/recordings query', () => {
  it('parses filters, limit, times (ISO or ms) and metadata.KEY filters', () => {
    const q = parseListQuery({ status: 'completed', roomId: 'r1', limit: '5', createdAfter: '2026-01-01T00:00:00Z', createdBefore: '1800000000000', 'metadata.team': 'blue' });
    expect(q).toEqual({ status: 'completed', roomId: 'r1', limit: 5, createdAfter: Date.parse('2026-01-01T00:00:00Z'), createdBefore: 1_800_000_000_000, metadata: { team: 'blue' } });
  });

  it('rejects unknown parameters, bad values and repeated parameters with a 400 naming them', () => {
    for (const [q, word] of [[{ bogus: '1' }, 'bogus'], [{ status: 'done' }, 'status'], [{ limit: '0' }, 'limit'], [{ limit: '1000' }, 'limit'], [{ createdAfter: 'yesterday' }, 'createdAfter'], [{ status: ['a', 'b'] }, 'status']] as const) {
      let err: unknown;
      try {
        parseListQuery(q);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RecbotError);
      expect((err as RecbotError).code).toBe('BAD_REQUEST');
      expect((err as RecbotError).message).toContain(word);
    }
  });

  it('matches status, room and metadata; created range is [after, before)', () => {
    const m = newManifest({ recordingId: 'a', roomId: 'r1', sessionStartMs: 1, options: { metadata: { team: 'blue' } } });
    const base = { metadata: {} };
    expect(matchesFilters(m, { ...base, status: 'pending', roomId: 'r1', metadata: { team: 'blue' } })).toBe(true);
    expect(matchesFilters(m, { ...base, status: 'completed' })).toBe(false);
    expect(matchesFilters(m, { ...base, roomId: 'r2' })).toBe(false);
    expect(matchesFilters(m, { metadata: { team: 'red' } })).toBe(false);
    expect(inCreatedRange(10, { createdAfter: 10, createdBefore: 11 })).toBe(true);
    expect(inCreatedRange(11, { createdAfter: 10, createdBefore: 11 })).toBe(false);
  });
});

describe('list cursor', () => {
  it('round-trips and refuses anything else', () => {
    expect(decodeCursor(encodeCursor({ createdMs: 5, id: 'x' }))).toEqual({ createdMs: 5, id: 'x' });
    for (const bad of ['', 'abc', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1e400,"x"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(RecbotError);
    }
  });

  it('continues after the cursor in newest-first order, also within one millisecond', () => {
    // Redis order for equal scores in ZREVRANGEBYSCORE: members in reverse lexical order.
    const batch = [{ id: 'c', createdMs: 9 }, { id: 'b', createdMs: 9 }, { id: 'a', createdMs: 9 }, { id: 'z', createdMs: 8 }];
    expect(afterCursor(batch, { createdMs: 9, id: 'b' }).map((e) => e.id)).toEqual(['a', 'z']);
    expect(afterCursor(batch, undefined)).toHaveLength(4);
  });
});
