/**
 * Who is in the call, and is each of them recorded? A pure bookkeeping class (no timers, no I/O):
 * the bot feeds it what it sees (participants, call traffic between others, its own calls) and asks
 * it once a second whom to call and which not-recorded intervals (gaps) opened or closed.
 *
 * The invariant it keeps: every participant who is in the call (seen in the room AND in a call with
 * anyone: call traffic between others is visible to every socket, or a call with the bot) is in a
 * call with the bot within a few seconds. The app's own admission (host CALLING, MAKE_CALL) gets
 * `graceMs` to connect them first; after that the bot calls them itself. Until their first media
 * arrives they carry an open gap: `not-connected` (no call with the bot, or our CALLING unanswered)
 * or `negotiating` (call accepted, no media yet).
 */

export type CoverageReason = 'not-connected' | 'negotiating';

/** A closed interval in which a participant was in the call but not recorded. */
export interface CoverageGap {
  participantId: string;
  startMs: number;
  endMs: number;
  reason: CoverageReason;
}

/** An interval still open. */
export interface CoverageHole {
  participantId: string;
  sinceMs: number;
  reason: CoverageReason;
}

/** The bot's own call with one participant, as the presence logic needs to see it. */
export interface BotCallView {
  /** The call is set up: we accepted their CALLING, or they answered ours. */
  accepted: boolean;
  /** Arrival time of the first RTP packet of this call, if any. */
  mediaSinceMs?: number;
}

export interface PresenceSettings {
  /** Time the app's admission flow gets to connect a participant before the bot calls them. */
  graceMs: number;
  /** Call traffic (pings every 2.5 s) older than this no longer proves a participant is in a call. */
  activityStaleMs: number;
  /** First retry after a self-call that did not lead to media; doubles up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** An open hole older than this is reported once (warning). */
  warnAfterMs: number;
}

export const DEFAULT_PRESENCE_SETTINGS: PresenceSettings = { graceMs: 3000, activityStaleMs: 10_000, retryMs: 20_000, maxRetryMs: 60_000, warnAfterMs: 5000 };

/** What one tick decided. */
export interface PresenceDecision {
  /** Participants the bot should call now. */
  call: string[];
  /** Intervals that closed during this tick. */
  gaps: CoverageGap[];
  /** Holes that just became older than warnAfterMs (warn once each). */
  warn: CoverageHole[];
}

/** Ids of other recorders (default bot ids): never called by us nor counted as missing. */
const RECORDER_ID = /^recbot-/;
/** Bound on tracked participants (hostile rooms). */
const MAX_TRACKED = 1000;

interface Tracked {
  host: boolean;
  lastActivityMs?: number;
  inCallSinceMs?: number;
  /** Last tick at which their media was being recorded: a later hole starts after it, not at inCallSinceMs. */
  recordedAtMs?: number;
  expectCallMs?: number;
  botCallEndedMs?: number;
  hadBotCall: boolean;
  attempts: number;
  lastAttemptMs?: number;
  open?: { reason: CoverageReason; startMs: number; warned: boolean };
}

export class CallPresence {
  private readonly people = new Map<string, Tracked>();
  private admitted = false;
  private closedMs = 0;

  constructor(
    private readonly selfId: string,
    private readonly s: PresenceSettings = DEFAULT_PRESENCE_SETTINGS,
  ) {}

  /** A participant is in the room (JOIN). */
  seen(id: string, host: boolean): void {
    if (id === this.selfId || RECORDER_ID.test(id)) return;
    const t = this.people.get(id);
    if (t) t.host = host;
    else if (this.people.size < MAX_TRACKED) this.people.set(id, { host, hadBotCall: false, attempts: 0 });
  }

  /** A participant left the room: its open interval closes now. */
  left(id: string, now: number): CoverageGap[] {
    const t = this.people.get(id);
    this.people.delete(id);
    return t ? this.close(id, t, now) : [];
  }

  /** Call traffic (ANSWER_CALL, SIGNAL, ping/pong) between two others: both are in a call. */
  activity(a: string, b: string, now: number): void {
    for (const id of [a, b]) {
      const t = this.people.get(id);
      if (!t) continue;
      if (t.lastActivityMs === undefined || now - t.lastActivityMs > this.s.activityStaleMs) t.inCallSinceMs ??= now;
      t.lastActivityMs = now;
    }
  }

  /** MAKE_CALL to `callerId` naming us: it is about to call us; give it the grace period from now. */
  expectCall(callerId: string, now: number): void {
    const t = this.people.get(callerId);
    if (t) t.expectCallMs = now;
  }

  /** Open holes (for status and metrics). */
  holes(): CoverageHole[] {
    return [...this.people].flatMap(([participantId, t]) => (t.open ? [{ participantId, sinceMs: t.open.startMs, reason: t.open.reason }] : []));
  }

  /** Total not-recorded time so far (closed intervals plus open ones up to `now`). */
  notRecordedMs(now: number): number {
    return this.closedMs + this.holes().reduce((n, h) => n + Math.max(0, now - h.sinceMs), 0);
  }

  /** Decide, given the bot's current calls (by participant id). */
  tick(now: number, calls: ReadonlyMap<string, BotCallView>): PresenceDecision {
    const out: PresenceDecision = { call: [], gaps: [], warn: [] };
    if ([...calls.values()].some((c) => c.accepted)) this.admitted = true;
    const hostPresent = [...this.people.values()].some((t) => t.host);
    for (const [id, t] of this.people) {
      const call = calls.get(id);
      if (call) t.hadBotCall = true;
      else if (t.hadBotCall) {
        t.hadBotCall = false;
        t.botCallEndedMs = now;
      }
      const active = t.lastActivityMs !== undefined && now - t.lastActivityMs <= this.s.activityStaleMs;
      const inCall = active || Boolean(call?.accepted);
      if (!inCall) {
        t.inCallSinceMs = undefined;
        t.recordedAtMs = undefined;
        out.gaps.push(...this.close(id, t, now));
        continue;
      }
      t.inCallSinceMs ??= now;
      if (call?.mediaSinceMs !== undefined) {
        out.gaps.push(...this.close(id, t, Math.max(call.mediaSinceMs, t.open?.startMs ?? call.mediaSinceMs)));
        t.attempts = 0;
        t.recordedAtMs = now;
        continue;
      }
      const reason: CoverageReason = call?.accepted ? 'negotiating' : 'not-connected';
      let startMs = Math.min(Math.max(t.inCallSinceMs, t.recordedAtMs ?? -Infinity), now);
      if (t.open && t.open.reason !== reason) {
        out.gaps.push(...this.close(id, t, now));
        startMs = now;
      }
      t.open ??= { reason, startMs, warned: false };
      if (!t.open.warned && now - t.open.startMs >= this.s.warnAfterMs) {
        t.open.warned = true;
        out.warn.push({ participantId: id, sinceMs: t.open.startMs, reason });
      }
      if (!call && this.shouldCall(t, now, hostPresent)) {
        t.attempts++;
        t.lastAttemptMs = now;
        out.call.push(id);
      }
    }
    return out;
  }

  /** Close every open interval (the bot leaves). */
  closeAll(now: number): CoverageGap[] {
    return [...this.people].flatMap(([id, t]) => this.close(id, t, now));
  }

  private shouldCall(t: Tracked, now: number, hostPresent: boolean): boolean {
    // Respect the app's admission: only once someone admitted us (or there is no host to do it).
    if (!this.admitted && hostPresent) return false;
    const since = Math.max(t.inCallSinceMs ?? now, t.expectCallMs ?? -Infinity, t.botCallEndedMs ?? -Infinity);
    if (now - since < this.s.graceMs) return false;
    if (t.lastAttemptMs === undefined) return true;
    const wait = Math.min(this.s.maxRetryMs, this.s.retryMs * 2 ** Math.max(0, t.attempts - 1));
    return now - t.lastAttemptMs >= wait;
  }

  private close(participantId: string, t: Tracked, endMs: number): CoverageGap[] {
    const o = t.open;
    t.open = undefined;
    if (!o || endMs <= o.startMs) return [];
    this.closedMs += endMs - o.startMs;
    return [{ participantId, startMs: o.startMs, endMs, reason: o.reason }];
  }
}
