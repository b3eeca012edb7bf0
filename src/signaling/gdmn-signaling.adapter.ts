import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createLogger, type Logger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { errorMessage } from '../common/errors';
import { callConfigFrom, callConfigSchema, iceConfigFrom, type GdmnMessage } from './gdmn-protocol';
import { EnumReplyThrottle, ParticipantTable, participantFromJoin } from './gdmn-participants';
import { admitInbound, type ReceiveContext } from './gdmn-receive-rules';
import type {
  AdapterStatus,
  CallIceConfig,
  IceCandidateInit,
  SessionDescriptionInit,
  RemoteParticipant,
  SignalingAdapter,
  SignalingEvents,
} from './signaling-adapter';
import { TypedEmitter } from './typed-emitter';
import type { OutboundPolicy } from '../security/outbound-policy';

/** Time between our LEAVE and the disconnect (see close()). */
const LEAVE_FLUSH_MS = 250;

/** Options of {@link GdmnSignalingAdapter}. */
export interface GdmnAdapterOptions {
  /** Signaling server base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  path?: string;
  /** Room code as the app shows it ('123-456'); the prefix is added unless already present. */
  roomId: string;
  roomIdPrefix?: string;
  /** Default `recbot-<uuid>`. */
  participantId?: string;
  /** One per bot session, reused on reconnect. Default a fresh uuid. */
  instanceId?: string;
  name: string;
  /** JOIN.participantState: 'ready-to-go' (the bot), 'master' (a host), ... */
  participantState?: string;
  heartbeatIntervalMs?: number;
  reconnectMaxAttempts?: number;
  reconnectBaseDelayMs?: number;
  reconnectMaxDelayMs?: number;
  connectTimeoutMs?: number;
  /** Path of the app's `GET /api/webrtc-config`; unset or 'off': not fetched. */
  webrtcConfigPath?: string;
  /** Base URL of the app's HTTP server (where webrtcConfigPath lives); default the signaling URL's origin. */
  appUrl?: string;
  /** Outbound target policy: checked (after DNS resolution) before connecting and before the config fetch. */
  outbound?: OutboundPolicy;
  logger?: Logger;
}

/** Adapter options from the validated app config plus the call's signaling URL and room. */
export function gdmnAdapterOptionsFromConfig(
  c: Pick<AppConfig, 'SIGNALING_PATH' | 'SIGNALING_WEBRTC_CONFIG_PATH' | 'SIGNALING_APP_URL' | 'ROOM_ID_PREFIX' | 'BOT_DISPLAY_NAME' | 'HEARTBEAT_INTERVAL_MS' | 'RECONNECT_MAX_ATTEMPTS'>,
  call: { url: string; roomId: string; name?: string; instanceId?: string; participantId?: string },
): GdmnAdapterOptions {
  return {
    url: call.url,
    path: c.SIGNALING_PATH,
    webrtcConfigPath: c.SIGNALING_WEBRTC_CONFIG_PATH,
    appUrl: c.SIGNALING_APP_URL,
    roomId: call.roomId,
    roomIdPrefix: c.ROOM_ID_PREFIX,
    name: call.name ?? c.BOT_DISPLAY_NAME,
    instanceId: call.instanceId,
    participantId: call.participantId,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    reconnectMaxAttempts: c.RECONNECT_MAX_ATTEMPTS,
  };
}

/** Counters of inbound/outbound traffic; drops are keyed by reason. */
export interface SignalingCounters {
  received: number;
  accepted: number;
  sent: number;
  connects: number;
  /** Reconnects where the server restored our session and replayed the messages we missed. */
  recovered: number;
  pingsAnswered: number;
  dropped: Record<string, number>;
}

/** The GDMN Meet Socket.IO protocol (see protocol.md) as a {@link SignalingAdapter}. */
export class GdmnSignalingAdapter extends TypedEmitter<SignalingEvents> implements SignalingAdapter {
  readonly selfId: string;
  readonly instanceId: string;
  readonly roomId: string;
  readonly counters: SignalingCounters = { received: 0, accepted: 0, sent: 0, connects: 0, recovered: 0, pingsAnswered: 0, dropped: {} };
  private readonly table = new ParticipantTable();
  private readonly enumThrottle = new EnumReplyThrottle(() => !this.closed && this.announce());
  private readonly sessions = new Map<string, string>();
  private socket: Socket | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private connecting = false;
  private terminal: string | undefined;
  private everJoined = false;
  private lastStatus: AdapterStatus = { state: 'connecting' };
  private mediaState = { audioEnabled: true, videoEnabled: true };
  private readonly log: Logger;
  private readonly receiveContext: ReceiveContext = {
    selfId: '',
    sessionOf: (peer) => this.sessions.get(peer),
    knows: (peer) => this.table.has(peer),
  };

  constructor(private readonly opts: GdmnAdapterOptions) {
    super();
    const prefix = opts.roomIdPrefix ?? 'video:';
    this.roomId = opts.roomId.startsWith(prefix) ? opts.roomId : `${prefix}${opts.roomId}`;
    this.selfId = opts.participantId ?? `recbot-${randomUUID()}`;
    this.instanceId = opts.instanceId ?? randomUUID();
    this.receiveContext.selfId = this.selfId;
    this.log = (opts.logger ?? createLogger({ component: 'signaling' })).child({ participantId: this.selfId });
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  get status(): AdapterStatus {
    return this.lastStatus;
  }

  participants(): RemoteParticipant[] {
    return this.table.list();
  }

  /**
   * The app's ICE config (`GET /api/webrtc-config`, optional in the protocol): what its clients use,
   * so that the bot, calling first after MAKE_CALL, hands the callee working STUN/TURN. Undefined when
   * not configured, unreachable (3 s), not JSON or not the documented shape; never throws.
   */
  async fetchIceConfig(): Promise<CallIceConfig | undefined> {
    const p = this.opts.webrtcConfigPath;
    if (!p || p === 'off') return undefined;
    try {
      const target = new URL(p, this.opts.appUrl ?? this.opts.url);
      await this.opts.outbound?.checkResolved(target.href, 'app webrtc-config URL');
      // Redirects are not followed: a 3xx could point anywhere, past the outbound policy.
      const res = await fetch(target, { signal: AbortSignal.timeout(3000), headers: { accept: 'application/json' }, redirect: 'manual' });
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`);
      const text = await res.text();
      if (text.length > 64 * 1024) throw new Error('body over 64 KiB');
      const ice = iceConfigFrom(callConfigSchema.parse(JSON.parse(text)));
      this.log.info({ servers: ice.iceServers.length, policy: ice.iceTransportPolicy ?? 'all' }, 'ICE config from the app server');
      return ice;
    } catch (err) {
      this.log.info({ err: errorMessage(err), path: p }, 'no ICE config from the app server (using the call\'s and ICE_SERVERS)');
      return undefined;
    }
  }

  async connect(): Promise<void> {
    if (this.socket || this.connecting) throw new Error('connect() called twice');
    this.connecting = true;
    // socket.io connects by host name: resolve and check every address first (SSRF policy).
    await this.opts.outbound?.checkResolved(this.opts.url, 'signalingUrl');
    return this.openSocket();
  }

  private openSocket(): Promise<void> {
    const o = this.opts;
    const socket = io(o.url, {
      path: o.path ?? '/socket.io',
      query: { roomId: this.roomId, participantId: this.selfId, instanceId: this.instanceId },
      // WebSocket first; fall back to long-polling when an app server (or its proxy) refuses it.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionAttempts: o.reconnectMaxAttempts ?? 20,
      reconnectionDelay: o.reconnectBaseDelayMs ?? 500,
      reconnectionDelayMax: o.reconnectMaxDelayMs ?? 3000,
      randomizationFactor: 0.5,
      timeout: o.connectTimeoutMs ?? 10_000,
    });
    this.socket = socket;
    this.setStatus({ state: 'connecting' });
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('already_in_room', () => this.fail('already_in_room'));
    socket.on('message', (data: unknown) => this.onMessage(data)); // trailing offset argument ignored
    socket.io.on('reconnect_attempt', (n) => this.setStatus({ state: 'reconnecting', attempt: n, reason: 'backoff' }));
    socket.io.on('reconnect_failed', () => this.fail('reconnect attempts exhausted'));
    this.heartbeatTimer = setInterval(() => this.pingAll(), o.heartbeatIntervalMs ?? 2500);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error('signaling connect timeout')), o.connectTimeoutMs ?? 10_000);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.off('status', onStatus);
        if (err) reject(err);
        else resolve();
      };
      const onStatus = (s: AdapterStatus): void => {
        if (s.state === 'joined') done();
        else if (s.state === 'failed' || s.state === 'closed') done(new Error(`signaling ${s.state}: ${s.reason}`));
      };
      this.on('status', onStatus);
    });
  }

  startCall(to: string, ice: CallIceConfig): string {
    const sessionId = randomUUID();
    this.sessions.set(to, sessionId);
    this.send('CALLING', { fromId: this.selfId, toId: to, sessionId, config: callConfigFrom(ice) });
    return sessionId;
  }

  acceptCall(to: string, callId: string): void {
    this.sessions.set(to, callId);
    this.send('ANSWER_CALL', { fromId: this.selfId, toId: to, sessionId: callId, audioEnabled: true, videoEnabled: true });
  }

  sendDescription(to: string, callId: string, description: SessionDescriptionInit): void {
    this.send('SIGNAL', { fromId: this.selfId, toId: to, sessionId: callId, description });
  }

  sendCandidate(to: string, callId: string, candidate: IceCandidateInit): void {
    this.send('SIGNAL', { fromId: this.selfId, toId: to, sessionId: callId, candidate });
  }

  requestRestart(to: string, callId: string): void {
    this.send('RESTART_CALL', { fromId: this.selfId, toId: to, sessionId: callId });
  }

  /** END_CALL, then ENUM as real clients do after hanging up, and our JOIN (so a host can re-admit us). */
  endCall(to: string, callId: string): void {
    this.send('END_CALL', { fromId: this.selfId, toId: to, sessionId: callId });
    this.sessions.delete(to);
    this.send('ENUM', { fromId: this.selfId });
    this.announce();
  }

  requestCall(to: string, calleeId: string): void {
    this.send('MAKE_CALL', { fromId: this.selfId, toId: to, calleeId });
  }

  isCurrentCall(peer: string, callId: string): boolean {
    return this.sessions.get(peer) === callId;
  }

  forgetCall(peer: string, callId: string): void {
    if (this.sessions.get(peer) === callId) this.sessions.delete(peer);
  }

  /** Fault injection (tests, synthetic participants): drop the socket now and reconnect after `ms`. */
  dropConnection(ms: number): void {
    if (this.closed || !this.socket) return;
    this.socket.disconnect();
    this.setStatus({ state: 'reconnecting', attempt: 0, reason: 'dropped' });
    this.resumeTimer = setTimeout(() => this.socket?.connect(), ms);
  }

  /** Send a raw message (tests: fuzzing the room). Not for the bot core. */
  sendRaw(message: unknown): void {
    this.socket?.emit('message', message);
  }

  /** Hang up the current calls (END_CALL), send LEAVE, let it flush, disconnect. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.resumeTimer);
    this.enumThrottle.close();
    const s = this.socket;
    if (s?.connected) {
      // as real clients leave: hang up every call (END_CALL), then LEAVE
      for (const [peer, sessionId] of this.sessions) {
        this.counters.sent++;
        s.emit('message', { type: 'END_CALL', payload: { fromId: this.selfId, toId: peer, sessionId } });
      }
      this.sessions.clear();
      this.send('LEAVE', { fromId: this.selfId });
      // socket.io servers dispatch an event on the next tick and drop it if the socket is closed
      // by then: a disconnect right behind the LEAVE frame can lose it. Let it arrive first.
      await new Promise((r) => setTimeout(r, LEAVE_FLUSH_MS));
    }
    s?.disconnect();
    s?.removeAllListeners();
    s?.io.removeAllListeners();
    this.setStatus({ state: 'closed', reason: this.terminal ?? 'closed' });
    this.removeAllListeners();
  }

  protected override onListenerError(event: string, err: unknown): void {
    this.log.error({ err, event }, 'signaling listener threw');
  }

  private onConnect(): void {
    this.counters.connects++;
    if (this.socket?.recovered) this.counters.recovered++;
    // A fresh session: rebuild the table from the JOIN replies to our ENUM. A recovered session gets
    // what it missed replayed (LEAVE, JOIN, CALLING, ...): keep the table, or a replayed CALLING
    // would be dropped as coming from someone we have not seen.
    if (!this.socket?.recovered) this.table.clear();
    this.send('ENUM', { fromId: this.selfId });
    this.announce();
    const reconnect = this.everJoined;
    this.everJoined = true;
    this.setStatus({ state: 'joined', reconnect });
  }

  private onDisconnect(reason: string): void {
    if (this.closed || this.terminal) return;
    this.setStatus({ state: 'reconnecting', attempt: 0, reason });
    if (reason === 'io server disconnect') {
      // socket.io does not reconnect by itself after a server-side disconnect
      const delay = 500 + Math.random() * 1000;
      this.resumeTimer = setTimeout(() => !this.closed && !this.terminal && this.socket?.connect(), delay);
    }
  }

  private fail(reason: string): void {
    if (this.terminal) return;
    this.terminal = reason;
    this.log.warn({ reason }, 'signaling failed (terminal)');
    this.setStatus({ state: 'failed', reason });
    this.socket?.disconnect();
  }

  private setStatus(s: AdapterStatus): void {
    this.lastStatus = s;
    this.emit('status', s);
  }

  /** Announce our mic/camera state (a JOIN with audioEnabled/videoEnabled, as apps do on every change). */
  setMediaState(audioEnabled: boolean, videoEnabled: boolean): void {
    this.mediaState = { audioEnabled, videoEnabled };
    this.announce();
  }

  private announce(): void {
    this.send('JOIN', {
      fromId: this.selfId,
      name: this.opts.name,
      state: 'ready',
      ...this.mediaState,
      participantState: this.opts.participantState ?? 'ready-to-go',
    });
  }

  private send(type: string, payload: Record<string, unknown>): void {
    if (!this.socket || (this.closed && type !== 'LEAVE')) return;
    this.counters.sent++;
    this.socket.emit('message', { type, payload });
  }

  private pingAll(): void {
    if (!this.connected) return;
    for (const [peer, sessionId] of this.sessions) {
      this.counters.sent++;
      this.socket?.volatile.emit('message', { type: 'SOCKET_PING', payload: { fromId: this.selfId, toId: peer, sessionId } });
    }
  }

  private drop(reason: string): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
    this.emit('dropped', reason);
  }

  private onMessage(data: unknown): void {
    this.counters.received++;
    if (this.closed) return;
    const r = admitInbound(data, this.receiveContext);
    if (!r.ok) {
      if (r.message) this.observe(r.message);
      return this.drop(r.reason);
    }
    this.counters.accepted++;
    this.dispatch(r.message);
  }

  private dispatch(m: GdmnMessage): void {
    switch (m.type) {
      case 'ENUM':
        return this.enumThrottle.onEnum();
      case 'JOIN': {
        const rp = participantFromJoin(m.payload);
        const r = this.table.upsert(rp);
        if (r === 'full') return this.drop('table-full');
        return this.emit(r === 'joined' ? 'participantJoined' : 'participantUpdated', rp);
      }
      case 'LEAVE':
        return this.removeParticipant(m.payload.fromId, 'leave');
      case 'SOCKET_DISCONNECTED':
        return this.removeParticipant(m.payload.participantId, 'disconnect');
      case 'CALLING': {
        // the session becomes current when the core accepts it (acceptCall): it may keep its own
        // crossing CALLING instead
        const p = m.payload;
        const c = p.config;
        const ice: CallIceConfig | undefined = c ? iceConfigFrom(c) : undefined;
        return this.emit('callOffered', { from: p.fromId, callId: p.sessionId, ice });
      }
      case 'ANSWER_CALL':
        return this.emit('callAccepted', { from: m.payload.fromId, callId: m.payload.sessionId });
      case 'MAKE_CALL':
        return this.emit('callRequested', { from: m.payload.fromId, calleeId: m.payload.calleeId });
      case 'SIGNAL': {
        const p = m.payload;
        if (p.description) return this.emit('description', { from: p.fromId, callId: p.sessionId, description: p.description });
        if (p.candidate) return this.emit('candidate', { from: p.fromId, callId: p.sessionId, candidate: p.candidate });
        return this.drop('malformed');
      }
      case 'SOCKET_PING':
        this.counters.pingsAnswered++;
        this.send('SOCKET_PONG', { fromId: this.selfId, toId: m.payload.fromId, sessionId: m.payload.sessionId });
        if (this.sessions.get(m.payload.fromId) === m.payload.sessionId) {
          this.emit('heartbeat', { from: m.payload.fromId, callId: m.payload.sessionId });
        }
        return;
      case 'SOCKET_PONG':
        return this.emit('heartbeat', { from: m.payload.fromId, callId: m.payload.sessionId });
      case 'RESTART_CALL':
        return this.emit('restartRequested', { from: m.payload.fromId, callId: m.payload.sessionId });
      case 'END_CALL':
        this.sessions.delete(m.payload.fromId);
        return this.emit('callEnded', { from: m.payload.fromId, callId: m.payload.sessionId });
      case 'CUSTOM_MESSAGE':
        return;
    }
  }

  /**
   * A message between two others (the relay broadcasts everything): never acted on as if it were
   * ours, only reported for presence. Call traffic proves both are in a call; a MAKE_CALL naming us
   * says its addressee is about to call us.
   */
  private observe(m: GdmnMessage): void {
    switch (m.type) {
      case 'ANSWER_CALL':
      case 'SIGNAL':
      case 'SOCKET_PING':
      case 'SOCKET_PONG':
        if (m.payload.toId !== this.selfId) this.emit('remoteCallActivity', { a: m.payload.fromId, b: m.payload.toId });
        return;
      case 'MAKE_CALL':
        if (m.payload.calleeId === this.selfId) this.emit('remoteCallRequested', { caller: m.payload.toId, callee: m.payload.calleeId });
        return;
      default:
        return;
    }
  }

  private removeParticipant(id: string, reason: 'leave' | 'disconnect'): void {
    if (!this.table.remove(id)) return;
    this.emit('participantLeft', id, reason);
  }
}
