import { messageFromId, messageToId, parseGdmnMessage, type GdmnMessage } from './gdmn-protocol';

/** What the receive rules need to know about our state. */
export interface ReceiveContext {
  selfId: string;
  /** The current session id with `peer`, if any. */
  sessionOf(peer: string): string | undefined;
  /** Whether `peer` has been seen (JOIN) since our last connect. */
  knows(peer: string): boolean;
}

export type DropReason = 'malformed' | 'own' | 'not-for-us' | 'stale-session' | 'calling-from-unseen';

/** A drop may still carry the validated message (`not-for-us`: call traffic between others, observed for presence). */
export type Admission = { ok: true; message: GdmnMessage } | { ok: false; reason: DropReason; message?: GdmnMessage };

const SESSION_BOUND = new Set(['SIGNAL', 'ANSWER_CALL', 'SOCKET_PONG', 'RESTART_CALL', 'END_CALL']);

/**
 * The receive rules real clients apply (protocol.md), as a pure function: validate, drop our own
 * messages, messages addressed to someone else, session-bound messages with a stale sessionId,
 * and CALLING from a participant we have not seen JOIN.
 */
export function admitInbound(raw: unknown, ctx: ReceiveContext): Admission {
  const parsed = parseGdmnMessage(raw);
  if (!parsed.ok) return { ok: false, reason: 'malformed' };
  const m = parsed.message;
  if (messageFromId(m) === ctx.selfId) return { ok: false, reason: 'own' };
  if (m.type === 'SOCKET_DISCONNECTED' && m.payload.participantId === ctx.selfId) return { ok: false, reason: 'own' };
  const to = messageToId(m);
  if (to !== undefined && to !== ctx.selfId) return { ok: false, reason: 'not-for-us', message: m };
  if (SESSION_BOUND.has(m.type)) {
    const p = m.payload as { fromId: string; sessionId: string };
    if (ctx.sessionOf(p.fromId) !== p.sessionId) return { ok: false, reason: 'stale-session' };
  }
  if (m.type === 'CALLING' && !ctx.knows(m.payload.fromId)) return { ok: false, reason: 'calling-from-unseen' };
  return { ok: true, message: m };
}
