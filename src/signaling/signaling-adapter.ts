/**
 * The signaling interface the bot core talks to. Protocol details (message names, session ids,
 * ENUM/JOIN chatter, ping/pong) stay inside adapters; the core sees participants and calls.
 * A "call" is one peer-to-peer session with one remote participant, named by an opaque `callId`.
 */

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** ICE settings a caller hands to its callee (GDMN: CALLING.config). */
export interface CallIceConfig {
  iceServers: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
}

export interface RemoteParticipant {
  id: string;
  name: string;
  /** Ready to be called (GDMN: participantState 'ready-to-go' or state 'ready'). */
  ready: boolean;
  /** The room's host (GDMN: participantState 'master'). */
  host: boolean;
  audioEnabled?: boolean;
  videoEnabled?: boolean;
}

export interface SessionDescriptionInit {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export type AdapterStatus =
  | { state: 'connecting' }
  | { state: 'joined'; reconnect: boolean }
  | { state: 'reconnecting'; attempt: number; reason: string }
  | { state: 'closed'; reason: string }
  /** Terminal: the adapter will not reconnect (e.g. duplicate join). */
  | { state: 'failed'; reason: string };

export interface CallRef {
  from: string;
  callId: string;
}

/** Events an adapter emits (argument tuples). */
export interface SignalingEvents {
  status: [AdapterStatus];
  participantJoined: [RemoteParticipant];
  participantUpdated: [RemoteParticipant];
  participantLeft: [id: string, reason: 'leave' | 'disconnect'];
  /** A remote caller starts (or fully restarts) a call with us; we are the callee. */
  callOffered: [CallRef & { ice?: CallIceConfig }];
  /** The other side accepted / acknowledged the call. */
  callAccepted: [CallRef];
  /** We are asked to call `calleeId` (GDMN: MAKE_CALL). */
  callRequested: [{ from: string; calleeId: string }];
  description: [CallRef & { description: SessionDescriptionInit }];
  candidate: [CallRef & { candidate: IceCandidateInit }];
  /** The callee asks us (the caller) for a full restart. */
  restartRequested: [CallRef];
  callEnded: [CallRef];
  /** A liveness signal for a call (GDMN: SOCKET_PING/PONG with the call's session id). */
  heartbeat: [CallRef];
  /** Call traffic between two other participants was seen (both are in a call); never addressed to us. */
  remoteCallActivity: [{ a: string; b: string }];
  /** Someone asked `caller` to call `callee` (us): expect its CALLING soon (GDMN: MAKE_CALL seen in passing). */
  remoteCallRequested: [{ caller: string; callee: string }];
  /** A message was dropped (malformed, stale, not for us, ...). */
  dropped: [reason: string];
}

/** The bot core's view of a signaling channel. */
export interface SignalingAdapter {
  /** Our participant id in the room. */
  readonly selfId: string;
  on<K extends keyof SignalingEvents & string>(event: K, listener: (...args: SignalingEvents[K]) => void): this;
  off<K extends keyof SignalingEvents & string>(event: K, listener: (...args: SignalingEvents[K]) => void): this;
  /** Connect and announce; resolves once joined, rejects on a terminal failure. */
  connect(): Promise<void>;
  /** The app's own ICE config, when the protocol has a way to ask for it; never throws. */
  fetchIceConfig?(): Promise<CallIceConfig | undefined>;
  readonly connected: boolean;
  participants(): RemoteParticipant[];
  /** Start (or fully restart) a call as caller; returns the new callId. */
  startCall(to: string, ice: CallIceConfig): string;
  /** Accept/acknowledge a call; the accepted call becomes the current one with `to`. */
  acceptCall(to: string, callId: string): void;
  sendDescription(to: string, callId: string, description: SessionDescriptionInit): void;
  sendCandidate(to: string, callId: string, candidate: IceCandidateInit): void;
  /** As callee: ask the caller for a full restart. */
  requestRestart(to: string, callId: string): void;
  endCall(to: string, callId: string): void;
  /** As host: ask `to` to call `calleeId`. */
  requestCall(to: string, calleeId: string): void;
  /** Whether `callId` is the current call with `peer` (older ones are stale). */
  isCurrentCall(peer: string, callId: string): boolean;
  /** Forget call `callId` with `peer` if it is still the current one (stops heartbeats for it). */
  forgetCall(peer: string, callId: string): void;
  /** Leave the room and disconnect; idempotent. */
  close(): Promise<void>;
}
