import type { Logger } from '../common/logger';
import type { SignalingAdapter } from '../signaling/signaling-adapter';
import type { PeerEntry } from './bot.types';
import { CallPresence, DEFAULT_PRESENCE_SETTINGS, type BotCallView, type CoverageGap, type CoverageHole, type PresenceSettings } from './call-presence';

/** What the bot reports about coverage in its status (metrics, API). */
export interface CoverageStatus {
  /** Participants in the call but not recorded right now. */
  holes: CoverageHole[];
  /** Not-recorded time so far, all participants together. */
  notRecordedMs: number;
}

export interface CoverageHooks {
  /** Call this participant (as caller). */
  call(participantId: string): void;
  /** A not-recorded interval closed. */
  gap(g: CoverageGap): void;
  /** The set of open holes changed. */
  changed(): void;
}

/** The bot's own call with a participant as the presence logic sees it. */
export function callView(e: PeerEntry): BotCallView {
  const firsts = e.feeds.map((f) => f.firstPacketMs).filter((t): t is number => t !== undefined);
  return { accepted: e.role === 'callee' || e.echoed, ...(firsts.length > 0 ? { mediaSinceMs: Math.min(...firsts) } : {}) };
}

/**
 * Glue between the signaling events, the bot's peers and {@link CallPresence}: feeds it, runs its
 * decisions once a second (calls, gaps) and warns about participants in the call but not recorded.
 */
export class CoverageKeeper {
  private readonly presence: CallPresence;
  private signature = '';

  constructor(
    selfId: string,
    private readonly log: Logger,
    private readonly hooks: CoverageHooks,
    settings: PresenceSettings = DEFAULT_PRESENCE_SETTINGS,
  ) {
    this.presence = new CallPresence(selfId, settings);
  }

  wire(sig: SignalingAdapter): void {
    sig.on('participantJoined', (p) => this.presence.seen(p.id, p.host));
    sig.on('participantUpdated', (p) => this.presence.seen(p.id, p.host));
    sig.on('participantLeft', (id) => this.emitGaps(this.presence.left(id, Date.now())));
    sig.on('remoteCallActivity', (c) => this.presence.activity(c.a, c.b, Date.now()));
    sig.on('remoteCallRequested', (c) => this.presence.expectCall(c.caller, Date.now()));
  }

  tick(now: number, peers: Iterable<PeerEntry>): void {
    const calls = new Map<string, BotCallView>();
    for (const e of peers) calls.set(e.id, callView(e));
    const d = this.presence.tick(now, calls);
    this.emitGaps(d.gaps);
    for (const h of d.warn) {
      this.log.warn({ participantId: h.participantId, reason: h.reason, sinceMs: h.sinceMs, forMs: now - h.sinceMs }, 'participant in the call is not recorded');
    }
    for (const id of d.call) {
      this.log.info({ participantId: id }, 'participant in the call but not in a call with us: calling them');
      this.hooks.call(id);
    }
    const sig = this.presence.holes().map((h) => `${h.participantId}:${h.reason}`).join(',');
    if (sig !== this.signature) {
      this.signature = sig;
      this.hooks.changed();
    }
  }

  /** The bot leaves: every open interval ends now. */
  close(now: number): void {
    this.emitGaps(this.presence.closeAll(now));
  }

  status(now: number): CoverageStatus {
    return { holes: this.presence.holes(), notRecordedMs: this.presence.notRecordedMs(now) };
  }

  private emitGaps(gaps: CoverageGap[]): void {
    for (const g of gaps) {
      this.log.info({ participantId: g.participantId, reason: g.reason, ms: g.endMs - g.startMs }, 'not-recorded interval closed');
      this.hooks.gap(g);
    }
  }
}
