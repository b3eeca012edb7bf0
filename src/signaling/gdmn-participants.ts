import type { GdmnPayload } from './gdmn-protocol';
import type { RemoteParticipant } from './signaling-adapter';

/** Participants kept in the table; JOINs beyond it are dropped (a hostile room cannot grow memory). */
export const MAX_PARTICIPANTS = 256;

/** Map a JOIN payload to the protocol-agnostic participant. */
export function participantFromJoin(p: GdmnPayload<'JOIN'>): RemoteParticipant {
  return {
    id: p.fromId,
    name: p.name,
    ready: p.participantState === 'ready-to-go',
    host: p.participantState === 'master',
    audioEnabled: p.audioEnabled,
    videoEnabled: p.videoEnabled,
  };
}

/** The room's participants as seen through JOIN / LEAVE / SOCKET_DISCONNECTED, bounded. */
export class ParticipantTable {
  private readonly map = new Map<string, RemoteParticipant>();

  constructor(private readonly max = MAX_PARTICIPANTS) {}

  /** Add or update; 'full' when a new id does not fit. */
  upsert(p: RemoteParticipant): 'joined' | 'updated' | 'full' {
    const known = this.map.has(p.id);
    if (!known && this.map.size >= this.max) return 'full';
    this.map.set(p.id, p);
    return known ? 'updated' : 'joined';
  }

  remove(id: string): boolean {
    return this.map.delete(id);
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  clear(): void {
    this.map.clear();
  }

  list(): RemoteParticipant[] {
    return [...this.map.values()];
  }
}

/**
 * JOIN replies to ENUM: immediate (peers drop a CALLING from someone whose JOIN they have not
 * seen) up to `perSecond`; beyond that (a flood) one trailing reply per second.
 */
export class EnumReplyThrottle {
  private windowStartMs = 0;
  private inWindow = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly reply: () => void, private readonly perSecond = 10) {}

  onEnum(nowMs = Date.now()): void {
    if (nowMs - this.windowStartMs >= 1000) {
      this.windowStartMs = nowMs;
      this.inWindow = 0;
    }
    if (this.inWindow < this.perSecond) {
      this.inWindow++;
      this.reply();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.reply();
    }, 1000);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
