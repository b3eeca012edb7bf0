import { MediaStreamTrack } from 'werift';
import { createLogger, type Logger } from '../common/logger';
import { errorMessage } from '../common/errors';
import type { AdapterStatus, CallIceConfig, CallRef, RemoteParticipant, SignalingAdapter } from '../signaling/signaling-adapter';
import { TypedEmitter } from '../signaling/typed-emitter';
import type { BotSettings } from './bot-settings';
import type { BotEvents, BotOptions, BotStatus, PeerEntry } from './bot.types';
import { CallPeer } from './call-peer';
import { CoverageKeeper } from './coverage-keeper';
import { OutgoingMedia } from './outgoing-media';
import { buildPeerConfig } from './peer-config';
import { callerIceConfig } from './caller-ice';
import { FrozenDetector, nextRecoveryAction, type CallRole } from './recovery-ladder';

export type { BotEvents, BotMedia, BotOptions, BotStatus } from './bot.types';
import { TrackFeed } from './track-feed';

const HOUSEKEEPING_MS = 1000;
/**
 * A CALLING from a participant we are calling ourselves, unanswered for less than this, crossed ours
 * in the relay: the remote received ours after sending its own and, as every GDMN client does with an
 * incoming CALLING, drops its own and answers ours. Keep ours (accepting theirs too would leave both
 * sides waiting as callee). Older unanswered calls of ours yield to theirs.
 */
const CROSSED_CALLING_MS = 5000;

export { callerIceConfig } from './caller-ice';

/** How long start() waits for the app's ICE config before joining anyway. */
const APP_ICE_WAIT_MS = 1500;
/** A track without packets this long is reported to its sink as paused (outage/mute). */
const TRACK_STALL_MS = 2000;
/**
 * Safety net after an ICE restart (ours or the remote's; CallPeer works around werift skipping the
 * connectivity checks): if no inbound RTP arrives within this time, escalate to a full restart at
 * once instead of waiting for the ladder's 18 s.
 */
const ICE_RESTART_WATCH_MS = 4000;

/**
 * One bot in one call: a participant of the room with one werift peer connection per remote
 * participant (full mesh). It records every inbound track through the TrackSinkFactory, sends a
 * silent audio track and a "REC" video tile in the codec each peer negotiated (OutgoingMedia),
 * and runs the real clients' recovery ladder.
 * Callee by default; caller after MAKE_CALL. It never offers as callee (werift cannot roll back).
 */
export class Bot extends TypedEmitter<BotEvents> {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly names = new Map<string, string>();
  private readonly sig: SignalingAdapter;
  private readonly s: BotSettings;
  private readonly log: Logger;
  private readonly out: OutgoingMedia;
  private state: BotStatus['state'] = 'idle';
  private stopReason: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private emptySinceMs: number | undefined;
  private stopping: Promise<void> | undefined;
  /** The app's ICE config as the last caller handed it to us (CALLING.config); reused when we call. */
  private learnedIce: CallIceConfig | undefined;
  /** Everyone in the call gets a call with us; who is not recorded gets a gap (call-presence.ts). */
  private readonly coverage: CoverageKeeper;

  constructor(private readonly opts: BotOptions) {
    super();
    this.sig = opts.signaling;
    this.s = opts.settings;
    this.log = (opts.logger ?? createLogger({ component: 'bot' })).child({ botId: this.sig.selfId });
    this.out = new OutgoingMedia(opts.media, this.log);
    this.coverage = new CoverageKeeper(this.sig.selfId, this.log, {
      call: (id) => this.guard(() => this.callAsCaller(id)),
      gap: (g) => this.emit('coverageGap', g),
      changed: () => this.emit('status', this.status()),
    }, opts.settings.presence);
  }

  /** Join the room; resolves once joined. Rejects (and stops) on a terminal signaling failure. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('Bot.start() called twice');
    this.state = 'joining';
    this.wire();
    this.out.start();
    this.timers.push(setInterval(() => this.housekeeping(), HOUSEKEEPING_MS));
    this.timers.push(setInterval(() => void this.statsTick(), this.s.statsIntervalMs));
    this.timers.push(setTimeout(() => void this.stop('max-duration'), this.s.maxDurationMs));
    this.emptySinceMs = Date.now();
    const appIce = this.sig.fetchIceConfig?.().then((ice) => {
      // A CALLING's own config (learned meanwhile) is fresher than the app's endpoint.
      if (ice && !this.learnedIce && (ice.iceServers.length > 0 || ice.iceTransportPolicy === 'relay')) this.learnedIce = ice;
    });
    // Usually milliseconds (same origin as the signaling server); a slow endpoint delays the join by
    // at most APP_ICE_WAIT_MS and still counts when it answers later.
    if (appIce) await Promise.race([appIce, new Promise((r) => setTimeout(r, APP_ICE_WAIT_MS).unref())]);
    try {
      await this.sig.connect();
    } catch (err) {
      await this.stop(`signaling: ${errorMessage(err)}`);
      throw err;
    }
  }

  /** Leave cleanly (LEAVE + disconnect), close peers and sinks. Idempotent. */
  stop(reason = 'stopped'): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  /** Resolves when the bot stopped (for any reason); gives the reason. */
  whenStopped(): Promise<string> {
    if (this.state === 'stopped') return Promise.resolve(this.stopReason ?? 'stopped');
    return new Promise((resolve) => this.once('stopped', resolve));
  }

  status(): BotStatus {
    return {
      state: this.state,
      participants: this.sig.participants().map((p) => ({ id: p.id, name: p.name })),
      peers: [...this.peers.values()].map((e) => ({
        id: e.id,
        role: e.role,
        connection: e.peer.connectionState,
        tracks: e.feeds.length,
        packets: e.feeds.reduce((n, f) => n + f.packets, 0),
        kbpsIn: e.kbpsIn,
        heartbeatAgeMs: e.lastHeartbeatMs === undefined ? undefined : Date.now() - e.lastHeartbeatMs,
      })),
      coverage: this.coverage.status(Date.now()),
      stopReason: this.stopReason,
    };
  }

  private async doStop(reason: string): Promise<void> {
    this.stopReason = reason;
    this.log.info({ reason }, 'bot stopping');
    this.coverage.close(Date.now());
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    // signaling first: it hangs up the current calls (END_CALL) and sends LEAVE before disconnecting
    await this.sig.close();
    await Promise.all([...this.peers.keys()].map((id) => this.closePeer(id)));
    this.out.close();
    this.state = 'stopped';
    this.emit('status', this.status());
    this.emit('stopped', reason);
  }

  /** The participant's last JOIN audioEnabled/videoEnabled (the adapter's table holds it), to label mute gaps. */
  private announcedMedia(id: string, kind: 'audio' | 'video'): boolean | undefined {
    const p = this.sig.participants().find((x) => x.id === id);
    return kind === 'audio' ? p?.audioEnabled : p?.videoEnabled;
  }

  private onParticipantState(p: RemoteParticipant): void {
    this.names.set(p.id, p.name);
    const now = Date.now();
    for (const f of this.peers.get(p.id)?.feeds ?? []) f.onMediaState(f.kind === 'audio' ? p.audioEnabled : p.videoEnabled, now, TRACK_STALL_MS);
  }

  private wire(): void {
    const sig = this.sig;
    this.coverage.wire(sig);
    sig.on('status', (st) => this.onSignalingStatus(st));
    sig.on('participantJoined', (p) => {
      this.onParticipantState(p);
      this.emit('status', this.status());
    });
    sig.on('participantUpdated', (p) => this.onParticipantState(p));
    sig.on('participantLeft', (id, reason) => {
      if (reason === 'leave') void this.closePeer(id);
      this.emit('status', this.status());
    });
    sig.on('callOffered', (c) => this.guard(() => this.onCallOffered(c)));
    sig.on('callAccepted', (c) => this.guard(() => this.onCallAccepted(c)));
    sig.on('callRequested', (c) => this.guard(() => this.callAsCaller(c.calleeId)));
    sig.on('description', (c) => void this.onDescription(c.from, c.callId, c.description.type, c.description.sdp));
    sig.on('candidate', (c) => this.current(c)?.peer.addCandidate(c.candidate));
    sig.on('restartRequested', (c) => this.current(c)?.role === 'caller' && this.guard(() => this.callAsCaller(c.from)));
    sig.on('callEnded', (c) => this.current(c) && void this.closePeer(c.from));
    sig.on('heartbeat', (c) => {
      const e = this.current(c);
      if (e) e.lastHeartbeatMs = Date.now();
    });
  }

  private guard(fn: () => void): void {
    if (this.stopping) return;
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'signaling handler failed');
    }
  }

  private current(c: CallRef): PeerEntry | undefined {
    const e = this.peers.get(c.from);
    return e && e.callId === c.callId ? e : undefined;
  }

  private onSignalingStatus(st: AdapterStatus): void {
    if (st.state === 'joined') this.state = 'in-room';
    else if (st.state === 'reconnecting') this.state = 'reconnecting';
    else if (st.state === 'failed') void this.stop(`signaling failed: ${st.reason}`);
    this.emit('status', this.status());
  }

  private newEntry(id: string, callId: string, role: CallRole, ice: CallIceConfig | undefined): PeerEntry {
    const tracks = { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) };
    const log = this.log.child({ participantId: id, callId, role });
    const entry: PeerEntry = {
      id, callId, role, ice, tracks, feeds: [], echoed: false, createdMs: Date.now(), detector: new FrozenDetector(),
      iceRestartDone: false, fullRestartDone: false, lastBytes: 0, kbpsIn: 0,
      peer: new CallPeer({
        remoteId: id,
        peerConfig: buildPeerConfig(ice, this.s, this.s.peerConfigOverrides),
        local: tracks,
        log,
        onTrack: (t) => {
          const feed = new TrackFeed(t, { id, name: () => this.names.get(id) ?? id, mediaEnabled: (kind) => this.announcedMedia(id, kind) }, this.opts.sinkFactory, log, (info) =>
            this.emit('track', info),
          );
          entry.feeds.push(feed);
        },
        onConnectionState: (state) => {
          // RTP written before DTLS was up went nowhere: start this peer's tile on a key frame now
          if (state === 'connected') this.out.requestKeyframe(tracks.video);
          this.onPeerState(entry, state);
        },
        onKeyframeRequest: () => this.out.requestKeyframe(tracks.video),
        onSendCodec: (codec) => log.info({ codec: codec?.mimeType, sent: this.out.routeVideo(tracks.video, codec) ?? 'none' }, 'outgoing video'),
      }),
    };
    this.out.addAudio(tracks.audio);
    this.peers.set(id, entry);
    return entry;
  }

  /** CALLING: the remote is the caller (a new CALLING is a full restart of that peer). */
  private onCallOffered(c: CallRef & { ice?: CallIceConfig }): void {
    if (c.ice && (c.ice.iceServers.length > 0 || c.ice.iceTransportPolicy === 'relay')) this.learnedIce = c.ice;
    const mine = this.peers.get(c.from);
    if (mine?.role === 'caller' && !mine.echoed && Date.now() - mine.createdMs < CROSSED_CALLING_MS) {
      this.log.info({ participantId: c.from, ours: mine.callId, theirs: c.callId }, 'CALLING crossed ours: keeping ours (the remote answers it)');
      return;
    }
    void this.closePeer(c.from);
    this.newEntry(c.from, c.callId, 'callee', c.ice);
    this.sig.acceptCall(c.from, c.callId);
  }

  private onCallAccepted(c: CallRef): void {
    const e = this.current(c);
    if (!e || e.echoed) return;
    e.echoed = true;
    this.sig.acceptCall(c.from, c.callId); // caller: echo; callee: the last ANSWER_CALL
    if (e.role === 'caller') {
      // the callee normally offers (it adds tracks); offer ourselves only if it does not
      e.offerTimer = setTimeout(() => {
        if (!e.peer.negotiated && e.peer.signalingState === 'stable') void this.sendOffer(e, false);
      }, this.s.callerOfferWaitMs);
    }
  }

  /** MAKE_CALL (or RESTART_CALL / recovery as caller): new session, CALLING. */
  private callAsCaller(calleeId: string): void {
    if (calleeId === this.sig.selfId) return;
    void this.closePeer(calleeId);
    const ice = callerIceConfig(this.learnedIce);
    const callId = this.sig.startCall(calleeId, ice);
    this.newEntry(calleeId, callId, 'caller', ice);
  }

  /** Escalate to a full restart if no inbound RTP moves shortly after an ICE restart. */
  private watchIceRestart(e: PeerEntry): void {
    void e.peer.rtpBytes().then(({ received }) => {
      const t = setTimeout(() => {
        if (this.peers.get(e.id) !== e || this.stopping) return;
        void e.peer.rtpBytes().then((now) => {
          if (now.received === received && this.peers.get(e.id) === e) this.fullRestart(e);
        });
      }, ICE_RESTART_WATCH_MS);
      this.timers.push(t);
    });
  }

  private async sendOffer(e: PeerEntry, iceRestart: boolean): Promise<void> {
    try {
      const offer = await e.peer.offer(iceRestart);
      if (this.peers.get(e.id) !== e) return;
      this.sig.sendDescription(e.id, e.callId, offer);
      if (iceRestart) this.watchIceRestart(e);
    } catch (err) {
      this.log.warn({ err: errorMessage(err), participantId: e.id }, 'offer failed');
    }
  }

  private async onDescription(from: string, callId: string, type: 'offer' | 'answer', sdp: string): Promise<void> {
    let e = this.current({ from, callId });
    if (!e || this.stopping) return;
    try {
      if (type === 'answer') return await e.peer.applyAnswer(sdp);
      clearTimeout(e.offerTimer);
      if (e.peer.signalingState === 'have-local-offer') {
        // glare: werift cannot roll back, so replace the peer connection and answer their offer
        await this.closePeer(from);
        e = this.newEntry(from, callId, e.role, e.ice);
        e.echoed = true;
      }
      const restarts = e.peer.remoteIceRestarts;
      const answer = await e.peer.answer(sdp);
      if (this.peers.get(from) !== e) return;
      this.sig.sendDescription(from, callId, answer);
      if (e.peer.remoteIceRestarts > restarts) this.watchIceRestart(e);
    } catch (err) {
      this.log.warn({ err: errorMessage(err), participantId: from }, `handling remote ${type} failed`);
    }
  }

  private onPeerState(e: PeerEntry, state: string): void {
    this.emit('peerState', { participantId: e.id, state });
    if (state === 'failed' && this.peers.get(e.id) === e && this.sig.connected) this.fullRestart(e);
  }

  /** Caller: new CALLING; callee: RESTART_CALL. */
  private fullRestart(e: PeerEntry): void {
    this.log.info({ participantId: e.id, role: e.role }, 'full restart');
    e.fullRestartDone = true;
    if (e.role === 'caller') this.callAsCaller(e.id);
    else this.sig.requestRestart(e.id, e.callId);
  }

  async closePeer(id: string): Promise<void> {
    const e = this.peers.get(id);
    if (!e) return;
    this.peers.delete(id);
    clearTimeout(e.offerTimer);
    this.sig.forgetCall(id, e.callId);
    this.out.remove(e.tracks);
    await e.peer.close();
    await Promise.all(e.feeds.map((f) => f.close()));
    this.emit('status', this.status());
  }

  private housekeeping(): void {
    if (this.stopping) return;
    const now = Date.now();
    for (const e of this.peers.values()) for (const f of e.feeds) f.checkStall(now, TRACK_STALL_MS);
    if (!this.sig.connected) return;
    this.coverage.tick(now, this.peers.values());
    if (this.sig.participants().length > 0) this.emptySinceMs = undefined;
    else {
      this.emptySinceMs ??= now;
      if (now - this.emptySinceMs >= this.s.emptyRoomTimeoutMs) void this.stop('empty-room');
    }
  }

  private async statsTick(): Promise<void> {
    if (this.stopping) return;
    const now = Date.now();
    const present = new Set(this.sig.participants().map((p) => p.id));
    for (const e of [...this.peers.values()]) {
      const { received } = await e.peer.rtpBytes();
      e.kbpsIn = Math.round(((received - e.lastBytes) * 8) / this.s.statsIntervalMs);
      e.lastBytes = received;
      const since = e.peer.connectionState === 'failed' ? (e.problemSinceMs ?? now) : e.detector.tick(received, now);
      e.problemSinceMs = since;
      const action = nextRecoveryAction(this.s, {
        role: e.role, problemSinceMs: since, socketUp: this.sig.connected, remotePresent: present.has(e.id),
        iceRestartDone: e.iceRestartDone, fullRestartDone: e.fullRestartDone,
      }, now);
      if (action === 'none' || this.peers.get(e.id) !== e) continue;
      this.log.info({ participantId: e.id, action }, 'recovery');
      if (action === 'ice-restart') {
        e.iceRestartDone = true;
        void this.sendOffer(e, true);
      } else if (action === 'full-restart') this.fullRestart(e);
      else {
        this.sig.endCall(e.id, e.callId);
        await this.closePeer(e.id);
      }
    }
    this.emit('status', this.status());
  }
}
