import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LazyRedis } from '../infra/lazy-redis';
import { REDIS_URL } from '../app/tokens';
import { RecbotError } from '../common/errors';

const INDEX_KEY = 'recbot:recordings:created';

/** A position in the listing (newest first): the last entry returned. Opaque to clients (base64url JSON). */
export interface ListCursor {
  createdMs: number;
  id: string;
}

export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.createdMs, c.id])).toString('base64url');
}

/** Parse a client's cursor; a malformed one is a 400, never a crash. */
export function decodeCursor(raw: string): ListCursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && Number.isFinite(v[0]) && typeof v[1] === 'string' && v[1].length <= 128) {
      return { createdMs: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  throw new RecbotError('BAD_REQUEST', 'cursor: not a cursor this API returned');
}

/**
 * Entries after `cursor` in newest-first order, from a batch read at scores <= cursor.createdMs.
 * Redis returns equal scores in reverse lexical order of members, so the entries after (s, x) are
 * those at s with member < x, then every lower score. Pure, for the unit test.
 */
export function afterCursor(batch: { id: string; createdMs: number }[], cursor: ListCursor | undefined): { id: string; createdMs: number }[] {
  if (!cursor) return batch;
  return batch.filter((e) => e.createdMs < cursor.createdMs || (e.createdMs === cursor.createdMs && e.id < cursor.id));
}

/**
 * The list of recordings in Redis (a sorted set by creation time), so GET /v1/recordings pages
 * through ids without listing object storage. The manifest stays the record of each recording.
 */
@Injectable()
export class RecordingIndex implements OnModuleDestroy {
  private readonly redis: LazyRedis;

  constructor(@Inject(REDIS_URL) redisUrl: string) {
    this.redis = new LazyRedis(redisUrl);
  }

  private client(): Redis {
    return this.redis.client();
  }

  async add(id: string, createdMs: number): Promise<void> {
    await this.client().zadd(INDEX_KEY, createdMs, id);
  }

  async remove(id: string): Promise<void> {
    await this.client().zrem(INDEX_KEY, id);
  }

  /** Up to `count` entries after `cursor`, newest first. */
  async page(cursor: ListCursor | undefined, count: number): Promise<{ id: string; createdMs: number }[]> {
    const max = cursor ? String(cursor.createdMs) : '+inf';
    // Over-read by the entries that may share the cursor's millisecond and come before it.
    const raw = await this.client().zrevrangebyscore(INDEX_KEY, max, '-inf', 'WITHSCORES', 'LIMIT', 0, count + 64);
    const batch: { id: string; createdMs: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) batch.push({ id: raw[i] as string, createdMs: Number(raw[i + 1]) });
    return afterCursor(batch, cursor).slice(0, count);
  }

  onModuleDestroy(): Promise<void> {
    return this.redis.close();
  }
}
