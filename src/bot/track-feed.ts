import type { MediaStreamTrack, RtpPacket } from 'werift';
import type { Logger } from '../common/logger';
import type { InboundTrackInfo, TrackSink, TrackSinkFactory } from '../recorder/track-sink';
import { onSenderReports, type PeerInboundTrack } from './call-peer';

/** Normalise werift's codec names ('audio/OPUS') to the manifest style ('audio/opus', 'video/VP8'). */
export function normaliseMimeType(mime: string): string {
  const [kind = '', name = ''] = mime.split('/');
  const lower = name.toLowerCase();
  const upper = lower === 'opus' || lower === 'red' || lower === 'rtx' ? lower : name.toUpperCase();
  return `${kind.toLowerCase()}/${upper}`;
}

/** After a failed createTrackSink, wait this long before trying again. */
const SINK_RETRY_MS = 5000;

/**
 * Feeds one inbound werift track into a recorder TrackSink. The sink is created at the first RTP
 * packet (codec and SSRC are known by then). Counts packets; close() is idempotent.
 */
export class TrackFeed {
  packets = 0;
  bytes = 0;
  info: InboundTrackInfo | undefined;
  /** Arrival time of the first RTP packet (the participant's media is recorded from here). */
  firstPacketMs: number | undefined;
  private sink: TrackSink | undefined;
  private readonly unsubs: (() => void)[] = [];
  private closed = false;
  private lastArrivalMs = 0;
  private paused = false;
  private retrySinkAtMs = 0;

  constructor(
    private readonly t: PeerInboundTrack,
    private readonly participant: { id: string; name: () => string; mediaEnabled?: (kind: 'audio' | 'video') => boolean | undefined },
    private readonly factory: TrackSinkFactory,
    private readonly log: Logger,
    private readonly onInfo: (info: InboundTrackInfo) => void,
  ) {
    const track: MediaStreamTrack = t.track;
    this.unsubs.push(track.onReceiveRtp.subscribe((p) => this.onRtp(p)).unSubscribe);
    this.unsubs.push(
      onSenderReports(track, (ntpMs, rtpTimestamp) => {
        try {
          this.sink?.onSenderReport?.({ ntpMs, rtpTimestamp, arrivalMs: Date.now() });
        } catch (err) {
          this.log.warn({ err }, 'sink.onSenderReport threw');
        }
      }),
    );
  }

  private onRtp(p: RtpPacket): void {
    if (this.closed) return;
    const now = Date.now();
    this.packets++;
    this.firstPacketMs ??= now;
    this.bytes += p.payload.length;
    this.lastArrivalMs = now;
    if (!this.sink && !this.createSink(p)) return;
    if (this.paused) {
      this.paused = false;
      try {
        this.sink?.onResume?.(now);
      } catch (err) {
        this.log.warn({ err }, 'sink.onResume threw');
      }
    }
    try {
      this.sink?.onRtp(p, now);
    } catch (err) {
      this.log.warn({ err }, 'sink.onRtp threw');
    }
  }

  private createSink(p: RtpPacket): boolean {
    if (Date.now() < this.retrySinkAtMs) return false;
    const track = this.t.track;
    // By the packet's payload type first: werift sets track.codec to the first negotiated codec, which
    // is not what the sender uses when the answer follows the offer's order (followOfferCodecOrder).
    const codec = this.t.transceiver.codecs.find((c) => c.payloadType === p.header.payloadType) ?? track.codec;
    if (!codec) return false;
    const kind = this.kind;
    this.info = {
      participantId: this.participant.id,
      displayName: this.participant.name(),
      kind,
      trackId: track.id ?? track.uuid,
      mimeType: normaliseMimeType(codec.mimeType),
      clockRate: codec.clockRate,
      payloadType: codec.payloadType ?? p.header.payloadType,
      channels: codec.channels,
      sdpFmtpLine: codec.parameters,
      ssrc: track.ssrc ?? p.header.ssrc,
    };
    try {
      this.sink = this.factory.createTrackSink(this.info, { requestKeyframe: () => this.t.requestKeyframe() });
    } catch (err) {
      // e.g. the spool disk is full: drop packets, try again in a few seconds
      this.retrySinkAtMs = Date.now() + SINK_RETRY_MS;
      this.log.error({ err }, 'createTrackSink failed');
      return false;
    }
    if (kind === 'video') this.t.requestKeyframe(); // werift never asks for one itself
    this.onInfo(this.info);
    return true;
  }

  /**
   * Called periodically: after `stallMs` without packets the sink hears onPause dated at the last
   * packet ('mute' when the participant's JOIN says this kind is off, else 'outage'); the next
   * packet brings onResume.
   */
  checkStall(nowMs: number, stallMs: number): void {
    if (this.closed || this.paused || !this.sink || nowMs - this.lastArrivalMs < stallMs) return;
    this.paused = true;
    this.pauseSink(this.participant.mediaEnabled?.(this.kind) === false ? 'mute' : 'outage');
  }

  /**
   * The participant announced its media state (JOIN audioEnabled/videoEnabled). A track that is
   * already silent while its sender says it is off is a mute, not an outage: relabel the pause.
   * Packets still flowing (track.enabled=false sends silence / black frames) are left alone.
   */
  onMediaState(enabled: boolean | undefined, nowMs: number, stallMs: number): void {
    if (enabled !== false || this.closed || !this.sink) return;
    if (!this.paused && nowMs - this.lastArrivalMs < stallMs) return;
    this.paused = true;
    this.pauseSink('mute');
  }

  get kind(): 'audio' | 'video' {
    return this.t.track.kind === 'audio' ? 'audio' : 'video';
  }

  private pauseSink(reason: 'mute' | 'outage'): void {
    try {
      this.sink?.onPause?.(reason, this.lastArrivalMs);
    } catch (err) {
      this.log.warn({ err }, 'sink.onPause threw');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubs) u();
    try {
      await this.sink?.close();
    } catch (err) {
      this.log.warn({ err }, 'sink.close failed');
    }
  }
}
