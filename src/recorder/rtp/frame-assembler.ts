import type { Depacketizer } from '../codecs/depacketizer';
import type { JitterOutput } from './jitter-buffer';
import { parseRed } from './red';

/** A reassembled frame. `rtpTimestamp` is the extended (unwrapped) RTP timestamp. */
export interface AssembledFrame {
  rtpTimestamp: number;
  data: Buffer;
  keyframe: boolean;
  /** All packets of the frame arrived and it depacketized cleanly. */
  complete: boolean;
  /** Packets were lost since the previous frame (decoding dependencies may be broken). */
  lossBefore: boolean;
  /** Recovered from RED redundancy rather than the primary encoding. */
  fromRedundancy: boolean;
  arrivalFirstMs: number;
  arrivalLastMs: number;
}

export interface FrameAssemblerOptions {
  kind: 'audio' | 'video';
  depacketizer: Depacketizer;
  /**
   * Payload type of RFC 2198 RED (audio/red): such packets are unwrapped to the primary and fill
   * losses from redundancy; other payload types (werift already unwrapped RED) pass as plain Opus.
   */
  redPayloadType?: number;
}

/**
 * Groups in-order RTP packets into frames (video: by timestamp, ended by the marker bit; audio: one
 * packet per frame) and depacketizes them. Feed it from a JitterBuffer.
 */
export class FrameAssembler implements JitterOutput {
  private parts: Buffer[] = [];
  private ts = -1;
  private complete = true;
  private lossPending = false;
  private lossBefore = false;
  private firstArrival = 0;
  private lastArrival = 0;
  private lastAudioTs = -Infinity;

  constructor(private readonly opts: FrameAssemblerOptions, private readonly emit: (f: AssembledFrame) => void) {}

  onPacket(_extSeq: number, ts: number, marker: boolean, payload: Buffer, arrivalMs: number, payloadType = -1): void {
    if (this.opts.kind === 'audio') return this.onAudio(ts, payload, arrivalMs, payloadType === this.opts.redPayloadType);
    if (this.parts.length > 0 && ts !== this.ts) this.finish(false);
    if (this.parts.length === 0) {
      this.ts = ts;
      this.firstArrival = arrivalMs;
      this.lossBefore = this.lossPending;
      this.complete = !this.lossPending || this.opts.depacketizer.isFrameStart(payload);
      this.lossPending = false;
    }
    this.parts.push(payload);
    this.lastArrival = arrivalMs;
    if (marker) this.finish(true);
  }

  onLoss(): void {
    if (this.parts.length > 0) this.complete = false;
    this.lossPending = true;
  }

  /** Emit a frame still being assembled (end of stream): it is incomplete (no marker seen). */
  flush(): void {
    if (this.parts.length > 0) this.finish(false);
  }

  /** Flush and forget timestamp history (new SSRC: a new timestamp base). */
  reset(): void {
    this.flush();
    this.lastAudioTs = -Infinity;
    this.lossPending = false;
  }

  private finish(markerSeen: boolean): void {
    const data = this.opts.depacketizer.depacketize(this.parts);
    const complete = this.complete && markerSeen && data !== null;
    const frame: AssembledFrame = {
      rtpTimestamp: this.ts,
      data: data ?? Buffer.alloc(0),
      keyframe: complete && this.opts.depacketizer.isKeyframe(data as Buffer),
      complete,
      lossBefore: this.lossBefore,
      fromRedundancy: false,
      arrivalFirstMs: this.firstArrival,
      arrivalLastMs: this.lastArrival,
    };
    this.parts = [];
    this.lossBefore = false;
    this.emit(frame);
  }

  private onAudio(ts: number, payload: Buffer, arrivalMs: number, red: boolean): void {
    const lossBefore = this.lossPending;
    this.lossPending = false;
    if (red) {
      const blocks = parseRed(payload);
      if (!blocks) return this.audioFrame(ts, Buffer.alloc(0), false, lossBefore, false, arrivalMs);
      for (let i = 0; i < blocks.length - 1; i++) {
        const b = blocks[i];
        if (b && this.lastAudioTs > -Infinity && ts - b.timestampOffset > this.lastAudioTs && b.data.length > 0) {
          this.audioFrame(ts - b.timestampOffset, b.data, true, lossBefore, true, arrivalMs);
        }
      }
      const primary = blocks[blocks.length - 1];
      return this.audioFrame(ts, primary ? primary.data : Buffer.alloc(0), primary !== undefined, lossBefore, false, arrivalMs);
    }
    this.audioFrame(ts, payload, true, lossBefore, false, arrivalMs);
  }

  private audioFrame(ts: number, data: Buffer, ok: boolean, lossBefore: boolean, red: boolean, arrivalMs: number): void {
    if (ts <= this.lastAudioTs) return; // already have this instant (redundancy of a received packet)
    const complete = ok && data.length > 0;
    if (complete) this.lastAudioTs = ts;
    this.emit({ rtpTimestamp: ts, data, keyframe: complete, complete, lossBefore, fromRedundancy: red, arrivalFirstMs: arrivalMs, arrivalLastMs: arrivalMs });
  }
}
