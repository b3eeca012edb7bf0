// One call (one RTCPeerConnection) with one remote participant, as the real clients run it:
// caller polite / callee impolite perfect negotiation, trickle ICE (early candidates dropped),
// heartbeat, getStats every 5 s and the recovery ladder.
import { summarizeStats } from './stats.js';

export const TIMING = {
  pingMs: 2500, pongMissedMs: 5000, statsMs: 5000, ladderMs: 1000,
  iceRestartMs: 9000, fullRestartMs: 18000, endCallCallerMs: 60000, endCallCalleeMs: 78000, noStreamMs: 30000,
};

/**
 * @param {object} ctx  { me, send(type, payload), localStream, codec, log(event, data), fullRestart(peer),
 *                        endCall(peer), frozenRule: 'any'|'both', remoteBox: HTMLElement }
 * @param {object} rec  persistent per-remote record (window.__recbot.peers[remoteId]), survives restarts
 */
export class Peer {
  constructor(ctx, rec, { remoteId, role, sessionId, rtcConfig }) {
    Object.assign(this, { ctx, rec, remoteId, role, sessionId });
    this.polite = role === 'caller';
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.tracksAdded = false;
    this.closed = false;
    this.remoteTracks = 0;
    this.lastPongAt = Date.now();
    this.createdAt = Date.now();
    this.prevStats = undefined;
    this.chain = Promise.resolve();
    Object.assign(rec, { role, sessionId, connectionState: 'new', iceConnectionState: 'new', remoteTracksThisCall: 0 });
    this.pc = new RTCPeerConnection(rtcConfig);
    this.wire();
    this.timers = [
      setInterval(() => this.ping(), TIMING.pingMs),
      setInterval(() => void this.statsTick(), TIMING.statsMs),
      setInterval(() => this.ladderTick(), TIMING.ladderMs),
    ];
    this.noStreamTimer = setTimeout(() => this.noStreamCheck(), TIMING.noStreamMs);
  }

  wire() {
    const { pc, ctx, rec } = this;
    pc.onnegotiationneeded = async () => {
      if (this.closed) return;
      try {
        this.makingOffer = true;
        this.applyCodecPreferences();
        await pc.setLocalDescription();
        this.sendSignal({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
        rec.offersSent++;
      } catch (err) {
        ctx.log('negotiation-error', { remoteId: this.remoteId, error: String(err) });
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = (e) => {
      if (e.candidate && !this.closed) this.sendSignal({ candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      rec.connectionState = pc.connectionState;
      ctx.log('connection-state', { remoteId: this.remoteId, state: pc.connectionState });
      if (pc.connectionState === 'connected') {
        rec.connectedCount++;
        this.watchFirstSent(pc);
      }
    };
    pc.oniceconnectionstatechange = () => { rec.iceConnectionState = pc.iceConnectionState; };
    pc.ontrack = (e) => {
      this.remoteTracks++;
      rec.remoteTracks++;
      rec.remoteTracksThisCall++;
      rec.remoteTrackKinds.push(e.track.kind);
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      this.attach(stream);
    };
  }

  attach(stream) {
    if (!this.media) {
      this.media = document.createElement('video');
      this.media.autoplay = true;
      this.media.playsInline = true;
      this.media.dataset.remoteId = this.remoteId;
      this.ctx.remoteBox.appendChild(this.media);
    }
    if (this.media.srcObject !== stream) {
      this.media.srcObject = stream;
      this.media.play().catch(() => {});
    }
  }

  sendSignal(extra) {
    this.ctx.send('SIGNAL', { fromId: this.ctx.me, toId: this.remoteId, sessionId: this.sessionId, ...extra });
  }

  /** Adds local tracks once (steps 3 and 4 of call setup); fires negotiationneeded. */
  addTracks() {
    if (this.tracksAdded || this.closed) return;
    this.tracksAdded = true;
    for (const track of this.ctx.localStream.getTracks()) this.pc.addTrack(track, this.ctx.localStream);
    this.applyCodecPreferences();
  }

  applyCodecPreferences() {
    const want = this.ctx.codec && `video/${this.ctx.codec}`.toLowerCase();
    if (!want || typeof RTCRtpReceiver.getCapabilities !== 'function') return;
    const caps = RTCRtpReceiver.getCapabilities('video');
    if (!caps) return;
    const first = caps.codecs.filter((c) => c.mimeType.toLowerCase() === want);
    if (first.length === 0) return;
    const repair = (c) => ['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03'].includes(c.mimeType.toLowerCase());
    const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== want && (!this.ctx.codecOnly || repair(c)));
    const prefs = [...first, ...rest];
    for (const t of this.pc.getTransceivers()) {
      const kind = t.sender.track?.kind ?? t.receiver.track?.kind;
      if (kind === 'video' && !t.stopped) {
        try { t.setCodecPreferences(prefs); } catch (err) { this.ctx.log('codec-pref-error', { error: String(err) }); }
      }
    }
  }

  /** SIGNAL handling, serialized per peer. */
  onSignal(payload) {
    this.chain = this.chain.then(() => this.handleSignal(payload)).catch((err) => {
      this.ctx.log('signal-error', { remoteId: this.remoteId, error: String(err) });
    });
  }

  async handleSignal({ description, candidate }) {
    if (this.closed) return;
    const { pc, rec } = this;
    if (description && typeof description === 'object') {
      const offerCollision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) { rec.offersIgnored++; return; }
      if (offerCollision) rec.rollbacks++;
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        this.applyCodecPreferences();
        await pc.setLocalDescription();
        this.sendSignal({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
      }
    } else if (candidate && typeof candidate === 'object') {
      if (!pc.remoteDescription) { rec.candidatesDropped++; return; } // as real clients do
      try {
        await pc.addIceCandidate(candidate);
        rec.candidatesAdded++;
      } catch (err) {
        if (!this.ignoreOffer) this.ctx.log('candidate-error', { error: String(err) });
      }
    }
  }

  ping() {
    if (this.closed) return;
    this.ctx.send('SOCKET_PING', { fromId: this.ctx.me, toId: this.remoteId, sessionId: this.sessionId });
  }

  onPong() { this.lastPongAt = Date.now(); this.rec.pongs++; }

  async statsTick() {
    if (this.closed) return;
    const s = await summarizeStats(this.pc).catch(() => undefined);
    if (!s || this.closed) return;
    const prev = this.prevStats ?? { bytesSent: 0, bytesReceived: 0 };
    this.prevStats = s;
    this.rec.stats = s;
    const sentMoving = s.bytesSent > prev.bytesSent;
    const recvMoving = s.bytesReceived > prev.bytesReceived;
    const frozen = this.ctx.frozenRule === 'both' ? !sentMoving && !recvMoving : !sentMoving || !recvMoving;
    const pongMissed = Date.now() - this.lastPongAt > TIMING.pongMissedMs;
    const failed = ['failed', 'disconnected', 'closed'].includes(this.pc.connectionState);
    const bad = frozen || pongMissed || failed;
    const p = this.rec.problem;
    if (!bad) {
      if (p.since) this.ctx.log('problem-cleared', { remoteId: this.remoteId });
      this.rec.problem = { since: 0, badTicks: 0, confirmed: false, iceRestartDone: false, fullRestartDone: false, reasons: [] };
      return;
    }
    if (!p.since) p.since = Date.now();
    p.badTicks++;
    p.reasons = [frozen && 'frozen', pongMissed && 'pong-missed', failed && this.pc.connectionState].filter(Boolean);
    if (p.badTicks >= 2 && !p.confirmed) {
      p.confirmed = true;
      this.rec.problemsConfirmed++;
      this.ctx.log('problem-confirmed', { remoteId: this.remoteId, reasons: p.reasons });
    }
  }

  ladderTick() {
    const p = this.rec.problem;
    if (this.closed || !p.confirmed) return;
    const elapsed = Date.now() - p.since;
    const endAfter = this.role === 'caller' ? TIMING.endCallCallerMs : TIMING.endCallCalleeMs;
    if (elapsed >= endAfter) {
      this.ctx.log('end-call', { remoteId: this.remoteId, elapsed });
      this.rec.endCallsSent++;
      this.ctx.endCall(this);
    } else if (elapsed >= TIMING.fullRestartMs && !p.fullRestartDone) {
      p.fullRestartDone = true;
      this.ctx.log('full-restart', { remoteId: this.remoteId, reason: 'ladder' });
      this.ctx.fullRestart(this);
    } else if (elapsed >= TIMING.iceRestartMs && !p.iceRestartDone && this.role === 'caller') {
      p.iceRestartDone = true;
      this.rec.restartsIce++;
      this.ctx.log('ice-restart', { remoteId: this.remoteId });
      this.pc.restartIce();
    }
  }

  noStreamCheck() {
    if (this.closed || this.remoteTracks > 0) return;
    this.rec.restartsNoStream++;
    this.ctx.log('full-restart', { remoteId: this.remoteId, reason: 'no-remote-stream' });
    this.ctx.fullRestart(this);
    // a callee keeps this connection after RESTART_CALL: ask again later if still nothing comes
    if (!this.closed) this.noStreamTimer = setTimeout(() => this.noStreamCheck(), TIMING.noStreamMs);
  }

  /**
   * When this connection's first audio and video frames went out (polled every 50 ms for 10 s after
   * 'connected'): tests compare what the recorder wrote first with what the browser sent first, since
   * an encoder may start later than the connection (Chromium's AV1 measured ~1.1 s after audio).
   */
  watchFirstSent(pc) {
    const t0 = Date.now();
    const seen = { audio: false, video: false };
    const poll = async () => {
      if (this.closed || Date.now() - t0 > 10000 || (seen.audio && seen.video)) return;
      const stats = await pc.getStats().catch(() => null);
      stats?.forEach((r) => {
        if (r.type !== 'outbound-rtp' || seen[r.kind] !== false) return;
        const sent = r.kind === 'video' ? r.framesSent : r.packetsSent;
        if (sent > 0) {
          seen[r.kind] = true;
          this.ctx.log('first-sent', { remoteId: this.remoteId, kind: r.kind, at: Date.now() });
        }
      });
      setTimeout(poll, 50);
    };
    void poll();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.noStreamTimer);
    this.pc.close();
    this.rec.connectionState = 'closed';
    if (this.media) { this.media.srcObject = null; this.media.remove(); }
  }
}
