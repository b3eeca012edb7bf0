import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LazyRedis } from '../infra/lazy-redis';
import { REDIS_URL } from '../app/tokens';
import { RecbotError } from '../common/errors';

const IDEM_KEY = (key: string) => `recbot:idem:${sha256(key)}`;
const ROOM_KEY = (room: string) => `recbot:active-room:${sha256(room)}`;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** JSON with object keys sorted, so that equal bodies give equal fingerprints. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A request's fingerprint for Idempotency-Key comparison. */
export const requestFingerprint = (body: unknown): string => sha256(canonicalJson(body));

/** Idempotency-Key header: 1-255 printable ASCII characters. */
export function parseIdempotencyKey(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw new RecbotError('BAD_REQUEST', 'Idempotency-Key: 1-255 printable ASCII characters');
  }
  return raw;
}

/** The room a recording occupies: signaling origin + path + prefixed room code. */
export function roomIdentity(signalingUrl: string, signalingPath: string, prefixedRoom: string): string {
  return `${new URL(signalingUrl).origin}|${signalingPath}|${prefixedRoom}`;
}

/** A conflicting request; `existingId` names the recording it conflicts with. */
export class RecordingConflictError extends RecbotError {
  constructor(message: string, readonly existingId: string) {
    super('CONFLICT', message);
    this.name = 'RecordingConflictError';
  }
}

/**
 * Redis-backed guards of POST /v1/recordings: Idempotency-Key records (key -> fingerprint and
 * recording id, with a TTL) and one active recording per room (room -> recording id; whether that
 * recording is still active is decided by the caller from its manifest).
 */
@Injectable()
export class RecordingGuards implements OnModuleDestroy {
  private readonly redis: LazyRedis;

  constructor(@Inject(REDIS_URL) redisUrl: string) {
    this.redis = new LazyRedis(redisUrl);
  }

  private client(): Redis {
    return this.redis.client();
  }

  /**
   * Reserve `key` for (fingerprint, recordingId). Returns undefined when reserved now, otherwise the
   * earlier record (same key seen before).
   */
  async reserveKey(key: string, fingerprint: string, recordingId: string, ttlS: number): Promise<{ fingerprint: string; recordingId: string } | undefined> {
    const value = JSON.stringify({ fingerprint, recordingId });
    const ok = await this.client().set(IDEM_KEY(key), value, 'EX', ttlS, 'NX');
    if (ok === 'OK') return undefined;
    const raw = await this.client().get(IDEM_KEY(key));
    if (raw === null) return this.reserveKey(key, fingerprint, recordingId, ttlS); // expired meanwhile
    const parsed = JSON.parse(raw) as { fingerprint?: unknown; recordingId?: unknown };
    return { fingerprint: String(parsed.fingerprint), recordingId: String(parsed.recordingId) };
  }

  /** Forget a reservation whose creation failed. */
  async releaseKey(key: string, recordingId: string): Promise<void> {
    const raw = await this.client().get(IDEM_KEY(key));
    if (raw && (JSON.parse(raw) as { recordingId?: unknown }).recordingId === recordingId) await this.client().del(IDEM_KEY(key));
  }

  /** Claim `room` for `recordingId`; returns the id that holds it when another one does. */
  async claimRoom(room: string, recordingId: string, ttlS: number): Promise<string | undefined> {
    const ok = await this.client().set(ROOM_KEY(room), recordingId, 'EX', ttlS, 'NX');
    if (ok === 'OK') return undefined;
    const holder = await this.client().get(ROOM_KEY(room));
    return holder ?? (await this.claimRoom(room, recordingId, ttlS));
  }

  /** Give `room` to `recordingId` (its holder ended, or a duplicate was allowed). */
  async takeRoom(room: string, recordingId: string, ttlS: number): Promise<void> {
    await this.client().set(ROOM_KEY(room), recordingId, 'EX', ttlS);
  }

  /** Free `room` if `recordingId` still holds it. */
  async releaseRoom(room: string, recordingId: string): Promise<void> {
    if ((await this.client().get(ROOM_KEY(room))) === recordingId) await this.client().del(ROOM_KEY(room));
  }

  onModuleDestroy(): Promise<void> {
    return this.redis.close();
  }
}
