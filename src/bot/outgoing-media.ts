import type { Logger } from '../common/logger';
import { PacedRtpSender, type RtpTarget } from '../media/paced-rtp-sender';
import { botVideoCodecFor, type BotVideoCodec, type NegotiatedCodec } from '../media/video-codecs';
import type { BotMedia } from './bot.types';

/**
 * The bot's outgoing media, shared by all its peer connections: one paced sender for the silent
 * audio and one per video codec (created at the first peer that negotiated it). A peer's video track
 * is attached to the sender of the codec its connection negotiated, so every peer receives the REC
 * tile in a codec and profile it accepted; werift rewrites SSRC and payload type per peer, so peers
 * with different payload type numbers share one sender. A peer whose negotiated codec we cannot
 * send gets no video (its audio still gives the app a remote stream).
 */
export class OutgoingMedia {
  private readonly audio: PacedRtpSender;
  private readonly video = new Map<BotVideoCodec, PacedRtpSender>();
  private readonly routed = new Map<RtpTarget, BotVideoCodec>();
  private started = false;

  constructor(private readonly media: BotMedia, private readonly log: Logger) {
    this.audio = new PacedRtpSender(media.audio);
  }

  start(): void {
    this.started = true;
    this.audio.start();
    for (const s of this.video.values()) s.start();
  }

  addAudio(track: RtpTarget): void {
    this.audio.addTarget(track);
  }

  /**
   * Put `track` on the sender of the codec its peer negotiated (moving it if a renegotiation changed
   * the codec). Returns the codec sent, or undefined when none fits (the track then gets nothing).
   */
  routeVideo(track: RtpTarget, negotiated: NegotiatedCodec | undefined): BotVideoCodec | undefined {
    const codec = botVideoCodecFor(negotiated);
    const prev = this.routed.get(track);
    if (prev === codec) return codec;
    if (prev) this.video.get(prev)?.removeTarget(track);
    this.routed.delete(track);
    if (!codec) {
      if (negotiated) this.log.warn({ codec: negotiated.mimeType, fmtp: negotiated.parameters }, 'no REC tile for the negotiated video codec; sending no video');
      return undefined;
    }
    this.senderFor(codec).addTarget(track); // addTarget makes the next frame a key frame
    this.routed.set(track, codec);
    return codec;
  }

  /** The codec a track is sent in (undefined: none). */
  videoCodecOf(track: RtpTarget): BotVideoCodec | undefined {
    return this.routed.get(track);
  }

  /** A peer asked for a key frame (PLI/FIR): the sender of its codec jumps to the next key frame. */
  requestKeyframe(track: RtpTarget): void {
    const codec = this.routed.get(track);
    if (codec) this.video.get(codec)?.requestKeyframe();
  }

  /** Detach a peer's tracks (closing peer). */
  remove(tracks: { audio: RtpTarget; video: RtpTarget }): void {
    this.audio.removeTarget(tracks.audio);
    const codec = this.routed.get(tracks.video);
    if (codec) this.video.get(codec)?.removeTarget(tracks.video);
    this.routed.delete(tracks.video);
  }

  close(): void {
    this.audio.close();
    for (const s of this.video.values()) s.close();
    this.routed.clear();
  }

  private senderFor(codec: BotVideoCodec): PacedRtpSender {
    let s = this.video.get(codec);
    if (!s) {
      s = new PacedRtpSender(this.media.video[codec]);
      this.video.set(codec, s);
      if (this.started) s.start();
    }
    return s;
  }
}
