import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../app/tokens';
import { RecbotError } from '../common/errors';
import { createLogger } from '../common/logger';

const CHANNEL = 'recbot:control';
const STOP_KEY = (id: string) => `recbot:stop:${id}`;
const DELETED_KEY = (id: string) => `recbot:deleted:${id}`;

export type ControlMessage = { type: 'stop' | 'delete'; recordingId: string };

/**
 * Cross-pod control of running calls over Redis: a stop request is a key (seen by a recorder that
 * picks the call up later) plus a pub/sub message (seen at once by the recorder running it).
 */
@Injectable()
export class CallControl implements OnModuleDestroy {
  private readonly log = createLogger({ component: 'call-control' });
  private pub?: Redis;
  private sub?: Redis;
  private readonly listeners = new Set<(msg: ControlMessage) => void>();
  private destroyed = false;

  constructor(@Inject(REDIS_URL) private readonly redisUrl: string) {}

  /** A job finishing during shutdown must not open a new connection that nobody closes. */
  private assertOpen(): void {
    if (this.destroyed) throw new RecbotError('SHUTTING_DOWN', 'call control is closed (shutting down)', { retryable: true });
  }

  private client(): Redis {
    this.assertOpen();
    this.pub ??= new Redis(this.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
    return this.pub;
  }

  async requestStop(recordingId: string): Promise<void> {
    await this.client().set(STOP_KEY(recordingId), '1', 'EX', 7 * 24 * 3600);
    await this.client().publish(CHANNEL, JSON.stringify({ type: 'stop', recordingId }));
  }

  async requestDelete(recordingId: string): Promise<void> {
    // A tombstone for workers: jobs of a deleted recording are skipped, and objects a job in flight
    // writes after the delete are removed again (30 days: longer than any job's retries).
    await this.client().set(DELETED_KEY(recordingId), '1', 'EX', 30 * 24 * 3600);
    await this.client().publish(CHANNEL, JSON.stringify({ type: 'delete', recordingId }));
  }

  /** Undo the tombstone (a delete refused by S3 Object Lock: the recording stays). */
  async clearDeleted(recordingId: string): Promise<void> {
    await this.client().del(DELETED_KEY(recordingId));
  }

  async isDeleted(recordingId: string): Promise<boolean> {
    return (await this.client().exists(DELETED_KEY(recordingId))) === 1;
  }

  async isStopRequested(recordingId: string): Promise<boolean> {
    return (await this.client().exists(STOP_KEY(recordingId))) === 1;
  }

  /** Receive control messages (recorders subscribe). Returns an unsubscribe function. */
  async subscribe(fn: (msg: ControlMessage) => void): Promise<() => void> {
    this.assertOpen();
    if (!this.sub) {
      this.sub = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      this.sub.on('message', (_ch: string, raw: string) => {
        let msg: unknown;
        try {
          msg = JSON.parse(raw);
        } catch {
          return;
        }
        const m = msg as Partial<ControlMessage>;
        if ((m.type === 'stop' || m.type === 'delete') && typeof m.recordingId === 'string') {
          for (const l of this.listeners) l({ type: m.type, recordingId: m.recordingId });
        }
      });
      this.sub.on('error', (err: Error) => this.log.warn({ err: err.message }, 'control subscriber error'));
      await this.sub.subscribe(CHANNEL);
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.listeners.clear();
    // QUIT politely, but never wait on a Redis that is gone: disconnect() also stops reconnecting.
    const close = async (c: Redis | undefined): Promise<void> => {
      if (!c) return;
      await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      c.disconnect();
    };
    await Promise.all([close(this.pub), close(this.sub)]);
    this.pub = this.sub = undefined;
  }
}
