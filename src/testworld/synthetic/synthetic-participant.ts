import { MediaStreamTrack, type PeerConfig } from 'werift';
import { CallPeer } from '../../bot/call-peer';
import { CountingSinkFactory } from '../../bot/counting-track-sink';
import { buildPeerConfig } from '../../bot/peer-config';
import { TrackFeed } from '../../bot/track-feed';
import { createLogger, type Logger } from '../../common/logger';
import { errorMessage } from '../../common/errors';
import { PacedRtpSender, type LoopSource } from '../../media/paced-rtp-sender';
import { GdmnSignalingAdapter } from '../../signaling/gdmn-signaling.adapter';
import type { CallIceConfig, CallRef, RemoteParticipant } from '../../signaling/signaling-adapter';

export interface SyntheticOptions {
  url: string;
  path?: string;
  roomId: string;
  name: string;
  participantId?: string;
  /** Host: admits 'ready-to-go' participants by calling them and sends MAKE_CALL when others are in. */
  host?: boolean;
  /** Browser-like callee: offers as soon as the call is accepted (produces the offer a caller waits for). */
  calleeOffers?: boolean;
  /** As caller, wait this long for the callee's offer before offering (0 = offer at once, like browsers). */
  callerOfferDelayMs?: number;
  media: { audio: LoopSource; video: LoopSource };
  iceServers?: CallIceConfig['iceServers'];
  peerConfigOverrides?: Partial<PeerConfig>;
  heartbeatIntervalMs?: number;
  /** Every description sent to participants whose id starts with this carries a wrong DTLS fingerprint (negotiation fails). */
  breakSdpTo?: string;
  logger?: Logger;
}

/** The same SDP with every DTLS fingerprint altered: ICE connects, DTLS then fails. */
function breakFingerprint(sdp: string): string {
  return sdp.replace(/^(a=fingerprint:\S+ )([0-9A-Fa-f]{2})/gm, (_m, head: string, byte: string) => `${head}${byte.toUpperCase() === 'AA' ? 'BB' : 'AA'}`);
}

interface Link {
  id: string;
  callId: string;
  role: 'caller' | 'callee';
  peer: CallPeer;
  tracks: { audio: MediaStreamTrack; video: MediaStreamTrack };
  feeds: TrackFeed[];
  echoed: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * A werift participant that behaves like the app's browser clients (test world): joins as host or
 * plain participant, publishes pre-encoded speech + a VP8 pattern, counts what it sends and
 * receives, and offers fault controls (mute, socket drop, ICE restart, full restart, leave).
 */
export class SyntheticParticipant {
  readonly signaling: GdmnSignalingAdapter;
  private unmuteTimer: NodeJS.Timeout | undefined;
  /** The ICE config of the last CALLING from each caller (what a browser would build its peer from). */
  readonly callConfigs = new Map<string, CallIceConfig | undefined>();
  /** What we received, per remote participant and kind. */
  readonly received = new CountingSinkFactory();
  readonly audio: PacedRtpSender;
  readonly video: PacedRtpSender;
  /** Counts of restarts etc. */
  readonly events = { callsStarted: 0, callsAccepted: 0, offersSent: 0, answersSent: 0, iceRestarts: 0 };
  private readonly links = new Map<string, Link>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly o: SyntheticOptions) {
    this.signaling = new GdmnSignalingAdapter({
      url: o.url,
      path: o.path,
      roomId: o.roomId,
      name: o.name,
      participantId: o.participantId,
      participantState: o.host ? 'master' : 'ready-to-go',
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      reconnectBaseDelayMs: 200,
      reconnectMaxDelayMs: 2000,
    });
    this.log = (o.logger ?? createLogger({ component: 'synthetic' })).child({ participantId: this.signaling.selfId });
    this.audio = new PacedRtpSender(o.media.audio);
    this.video = new PacedRtpSender(o.media.video);
  }

  get id(): string {
    return this.signaling.selfId;
  }

  async join(): Promise<void> {
    const s = this.signaling;
    s.on('participantJoined', (p) => this.onPresence(p));
    s.on('participantUpdated', (p) => this.onPresence(p));
    s.on('participantLeft', (id, reason) => reason === 'leave' && void this.closeLink(id));
    s.on('callOffered', (c) => this.onCalling(c));
    s.on('callAccepted', (c) => this.onAccepted(c));
    s.on('callRequested', (c) => this.call(c.calleeId));
    s.on('description', (c) => void this.onDescription(c, c.description.type, c.description.sdp));
    s.on('candidate', (c) => this.link(c)?.peer.addCandidate(c.candidate));
    s.on('restartRequested', (c) => this.link(c)?.role === 'caller' && this.call(c.from));
    s.on('callEnded', (c) => this.link(c) && void this.closeLink(c.from));
    this.audio.start();
    this.video.start();
    await s.connect();
  }

  /** Ids of participants we have a peer connection with, and its state. */
  peerStates(): Record<string, string> {
    return Object.fromEntries([...this.links.values()].map((l) => [l.id, l.peer.connectionState]));
  }

  /**
   * Stop sending media for `ms`, like the app's mic and camera buttons: the tracks go silent and a
   * JOIN announces audioEnabled/videoEnabled false (true again when it ends). `announce: false` is
   * a silent sender stall instead (an outage, not a mute).
   */
  mute(ms: number, o: { announce?: boolean } = {}): void {
    this.audio.pause(ms);
    this.video.pause(ms);
    clearTimeout(this.unmuteTimer);
    if (o.announce === false) return;
    this.signaling.setMediaState(false, false);
    this.unmuteTimer = setTimeout(() => {
      this.unmuteTimer = undefined;
      this.signaling.setMediaState(true, true);
    }, ms);
    this.unmuteTimer.unref();
  }

  unmute(): void {
    this.audio.resume();
    this.video.resume();
    if (this.unmuteTimer) this.signaling.setMediaState(true, true);
    clearTimeout(this.unmuteTimer);
    this.unmuteTimer = undefined;
  }

  /** Drop the signaling socket for `ms` (media keeps flowing peer to peer). */
  dropSocket(ms: number): void {
    this.signaling.dropConnection(ms);
  }

  /** ICE restart of every call where we are the caller (callers restart ICE in real clients). */
  async restartIce(): Promise<void> {
    for (const l of this.links.values()) {
      if (l.role !== 'caller') continue;
      this.events.iceRestarts++;
      await this.sendOffer(l, true);
    }
  }

  /** Full restart of every call: caller sends a new CALLING, callee sends RESTART_CALL. */
  restartCall(): void {
    for (const l of [...this.links.values()]) {
      if (l.role === 'caller') this.call(l.id);
      else this.signaling.requestRestart(l.id, l.callId);
    }
  }

  /** Leave the room (LEAVE + disconnect), close everything. Idempotent. */
  async leave(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.links.keys()].map((id) => this.closeLink(id)));
    clearTimeout(this.unmuteTimer);
    this.audio.close();
    this.video.close();
    await this.signaling.close();
  }

  private link(c: CallRef): Link | undefined {
    const l = this.links.get(c.from);
    return l && l.callId === c.callId ? l : undefined;
  }

  private onPresence(p: RemoteParticipant): void {
    if (!this.o.host || !p.ready || this.closed) return;
    const existing = this.links.get(p.id);
    if (existing && existing.peer.connectionState !== 'failed' && existing.peer.connectionState !== 'closed') return;
    const others = [...this.links.keys()].filter((id) => id !== p.id);
    this.call(p.id);
    for (const other of others) this.signaling.requestCall(p.id, other);
  }

  private newLink(id: string, callId: string, role: Link['role'], ice: CallIceConfig | undefined): Link {
    const tracks = { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) };
    const log = this.log.child({ remoteId: id, role });
    const link: Link = {
      id, callId, role, tracks, feeds: [], echoed: false,
      peer: new CallPeer({
        remoteId: id,
        peerConfig: buildPeerConfig(ice, { iceServers: [], iceTransportPolicy: 'all' }, this.o.peerConfigOverrides),
        local: tracks,
        log,
        onTrack: (t) => link.feeds.push(new TrackFeed(t, { id, name: () => id }, this.received, log, () => undefined)),
        onConnectionState: () => undefined,
        onKeyframeRequest: () => this.video.requestKeyframe(),
      }),
    };
    this.audio.addTarget(tracks.audio);
    this.video.addTarget(tracks.video);
    this.links.set(id, link);
    return link;
  }

  /** Start (or fully restart) a call to `id` as caller. */
  call(id: string): void {
    if (this.closed || id === this.id) return;
    void this.closeLink(id);
    const ice: CallIceConfig = { iceServers: this.o.iceServers ?? [], iceTransportPolicy: 'all' };
    const callId = this.signaling.startCall(id, ice);
    this.events.callsStarted++;
    this.newLink(id, callId, 'caller', ice);
  }

  private outgoing<T extends { sdp: string }>(to: string, d: T): T {
    const prefix = this.o.breakSdpTo;
    return prefix !== undefined && to.startsWith(prefix) ? { ...d, sdp: breakFingerprint(d.sdp) } : d;
  }

  private onCalling(c: CallRef & { ice?: CallIceConfig }): void {
    if (this.closed) return;
    this.callConfigs.set(c.from, c.ice);
    void this.closeLink(c.from);
    this.newLink(c.from, c.callId, 'callee', c.ice);
    this.events.callsAccepted++;
    this.signaling.acceptCall(c.from, c.callId);
  }

  private onAccepted(c: CallRef): void {
    const l = this.link(c);
    if (!l || l.echoed) return;
    l.echoed = true;
    this.signaling.acceptCall(c.from, c.callId);
    if (l.role === 'caller') {
      const delay = this.o.callerOfferDelayMs ?? 0;
      l.timer = setTimeout(() => !l.peer.negotiated && l.peer.signalingState === 'stable' && void this.sendOffer(l, false), delay);
    } else if (this.o.calleeOffers) {
      void this.sendOffer(l, false);
    }
  }

  private async sendOffer(l: Link, iceRestart: boolean): Promise<void> {
    try {
      const offer = await l.peer.offer(iceRestart);
      if (this.links.get(l.id) !== l) return;
      this.events.offersSent++;
      this.signaling.sendDescription(l.id, l.callId, this.outgoing(l.id, offer));
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'offer failed');
    }
  }

  private async onDescription(c: CallRef, type: 'offer' | 'answer', sdp: string): Promise<void> {
    let l = this.link(c);
    if (!l || this.closed) return;
    try {
      if (type === 'answer') return await l.peer.applyAnswer(sdp);
      clearTimeout(l.timer);
      if (l.peer.signalingState === 'have-local-offer') {
        if (l.role === 'callee') return; // impolite: ignore the colliding offer
        await this.closeLink(c.from); // polite caller, without werift's broken rollback
        l = this.newLink(c.from, c.callId, 'caller', undefined);
        l.echoed = true;
      }
      const answer = await l.peer.answer(sdp);
      if (this.links.get(c.from) !== l) return;
      this.events.answersSent++;
      this.signaling.sendDescription(c.from, c.callId, this.outgoing(c.from, answer));
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, `remote ${type} failed`);
    }
  }

  private async closeLink(id: string): Promise<void> {
    const l = this.links.get(id);
    if (!l) return;
    this.links.delete(id);
    clearTimeout(l.timer);
    this.audio.removeTarget(l.tracks.audio);
    this.video.removeTarget(l.tracks.video);
    await l.peer.close();
    await Promise.all(l.feeds.map((f) => f.close()));
  }
}
