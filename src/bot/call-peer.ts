import {
  RTCPeerConnection,
  RtcpSrPacket,
  type MediaStreamTrack,
  type PeerConfig,
  type RTCRtpSender,
  type RTCRtpTransceiver,
} from 'werift';
import type { Logger } from '../common/logger';
import type { NegotiatedCodec } from '../media/video-codecs';
import type { IceCandidateInit, SessionDescriptionInit } from '../signaling/signaling-adapter';
import { followOfferCodecOrder, stripCongestionFeedback } from './sdp-filter';

/** Max remote candidates buffered before the remote description is set. */
const MAX_PENDING_CANDIDATES = 64;
const NTP_UNIX_OFFSET_MS = 2_208_988_800_000;

/** An inbound track as the peer reports it. */
export interface PeerInboundTrack {
  track: MediaStreamTrack;
  transceiver: RTCRtpTransceiver;
  requestKeyframe(): void;
}

export interface CallPeerOptions {
  remoteId: string;
  peerConfig: Partial<PeerConfig>;
  /** Our outgoing tracks (one per peer; fed by a shared paced sender). */
  local: { audio?: MediaStreamTrack; video?: MediaStreamTrack };
  /** Max time to wait for ICE gathering before sending SDP anyway. */
  gatherTimeoutMs?: number;
  log: Logger;
  onTrack(t: PeerInboundTrack): void;
  onConnectionState(state: string): void;
  /** The remote asked us for a keyframe (PLI on our video sender). */
  onKeyframeRequest?(): void;
  /**
   * A description was applied: the codec werift will send our video in (its RTP payload type is
   * rewritten to this codec's per peer), or undefined when video was not negotiated.
   */
  onSendCodec?(video: NegotiatedCodec | undefined): void;
}

/** NTP 64-bit timestamp (RTCP SR) to Unix epoch milliseconds. */
export function ntpToUnixMs(ntp: bigint): number {
  const sec = Number(ntp >> 32n);
  const frac = Number(ntp & 0xffffffffn);
  return sec * 1000 + (frac * 1000) / 2 ** 32 - NTP_UNIX_OFFSET_MS;
}

/**
 * One werift RTCPeerConnection to one remote participant. Never rolls back: it answers offers,
 * offers only when told to, and sends SDP after ICE gathering completed (candidates inside).
 * Remote candidates are buffered until the remote description is set. Operations are serialized.
 */
export class CallPeer {
  readonly pc: RTCPeerConnection;
  private chain: Promise<unknown> = Promise.resolve();
  private pendingCandidates: IceCandidateInit[] = [];
  private closed = false;
  private readonly attached = new Set<MediaStreamTrack>();
  private remoteUfrag: string | undefined;
  /** Remote ICE restarts seen in offers we answered. */
  remoteIceRestarts = 0;
  private readonly pliWatched = new Set<unknown>();
  private videoSender: RTCRtpSender | undefined;

  constructor(private readonly opts: CallPeerOptions) {
    this.pc = new RTCPeerConnection(opts.peerConfig);
    this.pc.onTrack.subscribe((track) => this.onRemoteTrack(track));
    this.pc.connectionStateChange.subscribe((s) => opts.onConnectionState(s));
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether a remote description was applied (the call was negotiated at least once). */
  get negotiated(): boolean {
    return this.pc.remoteDescription != null;
  }

  get signalingState(): string {
    return this.pc.signalingState;
  }

  /** Apply a remote offer and produce our answer (with gathered candidates). */
  answer(offerSdp: string): Promise<SessionDescriptionInit> {
    return this.serial(async () => {
      const iceRestart = this.detectIceRestart(offerSdp);
      if (iceRestart) {
        this.remoteIceRestarts++;
        this.opts.log.info('remote ICE restart');
      }
      await this.pc.setRemoteDescription({ type: 'offer', sdp: stripCongestionFeedback(offerSdp) });
      await this.flushCandidates();
      this.attachLocalTracks();
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.reportSendCodec();
      const desc = await this.completeDescription('answer');
      if (iceRestart) this.restartConnectivityChecks();
      return { ...desc, sdp: followOfferCodecOrder(desc.sdp, offerSdp) };
    });
  }

  /** Create and apply an offer (adds our tracks first); returns it with gathered candidates. */
  offer(iceRestart = false): Promise<SessionDescriptionInit> {
    return this.serial(async () => {
      if (this.pc.getTransceivers().length === 0) {
        if (this.opts.local.audio) this.pc.addTransceiver(this.opts.local.audio, { direction: 'sendrecv' });
        else this.pc.addTransceiver('audio', { direction: 'recvonly' });
        if (this.opts.local.video) this.videoSender = this.pc.addTransceiver(this.opts.local.video, { direction: 'sendrecv' }).sender;
        else this.pc.addTransceiver('video', { direction: 'recvonly' });
      }
      const offer = await this.pc.createOffer({ iceRestart });
      await this.pc.setLocalDescription(offer);
      return this.completeDescription('offer');
    });
  }

  /** Apply the remote answer to our offer. */
  applyAnswer(sdp: string): Promise<void> {
    return this.serial(async () => {
      if (this.pc.signalingState !== 'have-local-offer') {
        this.opts.log.warn({ state: this.pc.signalingState }, 'answer without our offer; ignored');
        return;
      }
      const iceRestart = this.detectIceRestart(sdp);
      await this.pc.setRemoteDescription({ type: 'answer', sdp: stripCongestionFeedback(sdp) });
      this.reportSendCodec();
      await this.flushCandidates();
      if (iceRestart) this.restartConnectivityChecks();
    });
  }

  /** Add a remote candidate now, or buffer it until the remote description is set. */
  addCandidate(c: IceCandidateInit): void {
    if (this.closed) return;
    if (!this.pc.remoteDescription) {
      if (this.pendingCandidates.length < MAX_PENDING_CANDIDATES) this.pendingCandidates.push(c);
      return;
    }
    void this.serial(() => this.addOne(c));
  }

  /** Sum of RTP bytes received and sent (for the frozen-call check). */
  async rtpBytes(): Promise<{ received: number; sent: number }> {
    let received = 0;
    let sent = 0;
    try {
      const report = await this.pc.getStats();
      for (const s of report.values()) {
        const st = s as { type?: string; bytesReceived?: number; bytesSent?: number };
        if (st.type === 'inbound-rtp') received += st.bytesReceived ?? 0;
        if (st.type === 'outbound-rtp') sent += st.bytesSent ?? 0;
      }
    } catch {
      /* a closing pc */
    }
    return { received, sent };
  }

  /** Close the peer connection (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pendingCandidates = [];
    try {
      await this.pc.close();
    } catch (err) {
      this.opts.log.debug({ err }, 'pc.close failed');
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error('peer closed');
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async addOne(c: IceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate({
        candidate: c.candidate,
        sdpMid: c.sdpMid ?? undefined,
        sdpMLineIndex: c.sdpMLineIndex ?? undefined,
      });
    } catch (err) {
      this.opts.log.debug({ err }, 'bad remote candidate ignored');
    }
  }

  private async flushCandidates(): Promise<void> {
    const list = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of list) await this.addOne(c);
  }

  /** Put our tracks on the first audio and first video transceiver (others stay receive-only). */
  private attachLocalTracks(): void {
    for (const kind of ['audio', 'video'] as const) {
      const track = this.opts.local[kind];
      if (!track || this.attached.has(track)) continue;
      const t = this.pc.getTransceivers().find((x) => x.kind === kind && !x.sender.track);
      if (!t) continue;
      void t.sender.replaceTrack(track);
      t.setDirection('sendrecv');
      this.attached.add(track);
      if (kind === 'video') this.videoSender = t.sender;
    }
  }

  /**
   * werift 0.25.2 skips ICE connectivity checks after an ICE restart while DTLS is still connected
   * (connect() returns early), so no pair is nominated and media stops. Start the checks ourselves.
   */
  private restartConnectivityChecks(): void {
    for (const t of this.pc.iceTransports) {
      if (t.connection.nominated || t.state === 'closed' || t.state === 'checking') continue;
      t.start().catch((err: unknown) => this.opts.log.warn({ err }, 'ICE restart checks failed'));
    }
  }

  /** Tell the owner which codec our video goes out in (werift: the sender's first negotiated codec). */
  private reportSendCodec(): void {
    const c = this.videoSender?.codec;
    const active = this.pc.getTransceivers().some((t) => t.sender === this.videoSender && !t.stopped && !t.pendingRejection && t.codecs.length > 0);
    this.opts.onSendCodec?.(c && active ? { mimeType: c.mimeType, payloadType: c.payloadType, parameters: c.parameters } : undefined);
  }

  private watchPli(): void {
    const cb = this.opts.onKeyframeRequest;
    if (!cb) return;
    for (const t of this.pc.getTransceivers()) {
      if (t.kind !== 'video' || this.pliWatched.has(t.sender)) continue;
      this.pliWatched.add(t.sender);
      t.sender.onPictureLossIndication.subscribe(() => cb());
    }
  }

  private async completeDescription(type: 'offer' | 'answer'): Promise<SessionDescriptionInit> {
    this.watchPli();
    await this.waitGathering();
    const d = this.pc.localDescription;
    if (!d) throw new Error('no local description');
    return { type, sdp: d.sdp };
  }

  private waitGathering(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.opts.gatherTimeoutMs ?? 5000);
      const sub = this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done());
      function done(): void {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      }
    });
  }

  private detectIceRestart(sdp: string): boolean {
    const ufrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    const restart = this.remoteUfrag !== undefined && ufrag !== undefined && ufrag !== this.remoteUfrag;
    this.remoteUfrag = ufrag ?? this.remoteUfrag;
    return restart;
  }

  private onRemoteTrack(track: MediaStreamTrack): void {
    const transceiver = this.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
    if (!transceiver) return;
    this.opts.onTrack({
      track,
      transceiver,
      requestKeyframe: () => {
        if (track.ssrc !== undefined && !this.closed) void transceiver.receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
      },
    });
  }
}

/** Subscribe to RTCP sender reports of a track; returns an unsubscribe function. */
export function onSenderReports(track: MediaStreamTrack, cb: (ntpMs: number, rtpTs: number) => void): () => void {
  const { unSubscribe } = track.onReceiveRtcp.subscribe((p) => {
    if (p instanceof RtcpSrPacket) cb(ntpToUnixMs(p.senderInfo.ntpTimestamp), p.senderInfo.rtpTimestamp);
  });
  return unSubscribe;
}
