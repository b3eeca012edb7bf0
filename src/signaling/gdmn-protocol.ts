import { z } from 'zod';
import type { CallIceConfig, IceServer } from './signaling-adapter';

/** Size limits applied to every inbound message (hostile peers can send anything). */
export const LIMITS = {
  ID_CHARS: 128,
  NAME_CHARS: 256,
  SDP_CHARS: 100_000,
  CANDIDATE_CHARS: 2048,
  ICE_SERVERS: 16,
  URL_CHARS: 512,
  CUSTOM_DATA_CHARS: 64_000,
} as const;

const id = z.string().min(1).max(LIMITS.ID_CHARS);
const shortStr = z.string().max(LIMITS.URL_CHARS);

const iceServer = z.object({
  urls: z.union([shortStr, z.array(shortStr).max(8)]),
  username: shortStr.optional(),
  credential: shortStr.optional(),
});

/** `config` of CALLING (same shape as GET /api/webrtc-config). */
export const callConfigSchema = z.object({
  stun: z.array(iceServer).max(LIMITS.ICE_SERVERS).optional(),
  turn: z.array(iceServer).max(LIMITS.ICE_SERVERS).optional(),
  icePolicy: z.enum(['all', 'relay']).optional(),
});

const candidate = z.object({
  candidate: z.string().max(LIMITS.CANDIDATE_CHARS),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

const description = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().min(1).max(LIMITS.SDP_CHARS) });

const session = { fromId: id, toId: id, sessionId: id };

const join = z.object({
  fromId: id,
  name: z.string().max(LIMITS.NAME_CHARS).optional().default(''),
  state: z.string().max(32).optional(),
  audioEnabled: z.boolean().optional(),
  videoEnabled: z.boolean().optional(),
  participantState: z.string().max(32).optional(),
});

const signal = z.union([
  z.object({ ...session, description, candidate: z.undefined().optional() }),
  z.object({ ...session, candidate, description: z.undefined().optional() }),
]);

/** Every `message` the GDMN protocol knows, validated. */
export const gdmnMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ENUM'), payload: z.object({ fromId: id }) }),
  z.object({ type: z.literal('JOIN'), payload: join }),
  z.object({ type: z.literal('LEAVE'), payload: z.object({ fromId: id }) }),
  z.object({ type: z.literal('CALLING'), payload: z.object({ ...session, config: callConfigSchema.optional() }) }),
  z.object({
    type: z.literal('ANSWER_CALL'),
    payload: z.object({ ...session, audioEnabled: z.boolean().optional(), videoEnabled: z.boolean().optional() }),
  }),
  z.object({ type: z.literal('MAKE_CALL'), payload: z.object({ fromId: id, toId: id, calleeId: id }) }),
  z.object({ type: z.literal('SIGNAL'), payload: signal }),
  z.object({ type: z.literal('SOCKET_PING'), payload: z.object(session) }),
  z.object({ type: z.literal('SOCKET_PONG'), payload: z.object(session) }),
  z.object({ type: z.literal('RESTART_CALL'), payload: z.object(session) }),
  z.object({ type: z.literal('END_CALL'), payload: z.object(session) }),
  z.object({
    type: z.literal('CUSTOM_MESSAGE'),
    payload: z.object({ fromId: id, toId: id.optional(), data: z.unknown(), metadata: z.unknown().optional() }),
  }),
  z.object({ type: z.literal('SOCKET_DISCONNECTED'), payload: z.object({ roomId: z.string().max(256), participantId: id }) }),
]);

export type GdmnMessage = z.infer<typeof gdmnMessageSchema>;
export type GdmnMessageType = GdmnMessage['type'];
export type GdmnPayload<T extends GdmnMessageType> = Extract<GdmnMessage, { type: T }>['payload'];
export type CallConfig = z.infer<typeof callConfigSchema>;

/** Result of validating one inbound message. */
export type ParseResult = { ok: true; message: GdmnMessage } | { ok: false; reason: string };

/** Cap on the JSON size of a message we even try to validate (cheap pre-check). */
const MAX_CUSTOM = LIMITS.CUSTOM_DATA_CHARS;

/** Validate one inbound `message` argument: `unknown` in, a typed message or a reason out. */
export function parseGdmnMessage(raw: unknown): ParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, reason: 'missing type' };
  const r = gdmnMessageSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, reason: `${type}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}` };
  }
  if (r.data.type === 'CUSTOM_MESSAGE') {
    try {
      if (JSON.stringify(r.data.payload.data ?? null).length > MAX_CUSTOM) return { ok: false, reason: 'CUSTOM_MESSAGE too large' };
    } catch {
      return { ok: false, reason: 'CUSTOM_MESSAGE not serialisable' };
    }
  }
  return { ok: true, message: r.data };
}

/** The `toId` of a message if it has one (messages with a toId are for that participant only). */
export function messageToId(m: GdmnMessage): string | undefined {
  const p = m.payload as { toId?: string };
  return p.toId;
}

/** The `fromId` of a message (SOCKET_DISCONNECTED: the server speaks for `participantId`). */
export function messageFromId(m: GdmnMessage): string | undefined {
  if (m.type === 'SOCKET_DISCONNECTED') return undefined;
  return m.payload.fromId;
}

/** CALLING.config from our ICE settings: STUN-only entries under `stun`, the rest under `turn`. */
/** The `config` of CALLING (or GET /api/webrtc-config) as the adapter-neutral ICE config. */
export function iceConfigFrom(c: CallConfig): CallIceConfig {
  return { iceServers: [...(c.stun ?? []), ...(c.turn ?? [])], iceTransportPolicy: c.icePolicy };
}

export function callConfigFrom(ice: CallIceConfig): CallConfig {
  const isStun = (s: IceServer): boolean => (Array.isArray(s.urls) ? s.urls : [s.urls]).every((u) => /^stuns?:/i.test(u));
  return {
    stun: ice.iceServers.filter(isStun),
    turn: ice.iceServers.filter((s) => !isStun(s)),
    icePolicy: ice.iceTransportPolicy ?? 'all',
  };
}
