import { Unwrapper } from './unwrap';

/** Receives packets from the jitter buffer in sequence order, with losses in between. */
export interface JitterOutput {
  /** A media packet (padding-only packets are never emitted). Arguments are positional: no allocation. */
  onPacket(extSeq: number, rtpTimestamp: number, marker: boolean, payload: Buffer, arrivalMs: number, payloadType: number): void;
  /** `count` packets before `extSeq` were given up as lost. */
  onLoss(count: number, extSeq: number): void;
}

export interface JitterStats {
  received: number;
  paddingDropped: number;
  duplicates: number;
  late: number;
  lost: number;
  /** Packets that arrived after a later one and filled a hole (reordering or NACK/RTX retransmission). */
  recovered: number;
}

/*
 * werift 0.25.2 facts (node_modules/werift/lib/webrtc/src/media/rtpReceiver.js, receiver/nack.js):
 * - RTX is unwrapped in RTCRtpReceiver before track.onReceiveRtp (original SSRC and sequence number
 *   restored); RTX packets with < 2 payload bytes (padding-only RTX) are dropped there.
 * - NackHandler runs for video tracks only (when "nack" is negotiated): a gap makes it send a
 *   GenericNack every 5 ms, each seq retried up to 10 times (~50 ms + RTT), at most 150 tracked.
 *   Its gap test (`seq > newEst + 1`) is not wrap-aware, so a loss right at the 16-bit wrap is not
 *   NACKed; it sends no PLI. Audio is never NACKed.
 * - audio/red is unwrapped by werift's RedHandler (primary + redundant blocks become separate
 *   packets with synthetic sequence numbers, deduplicated) when the RED codec is negotiated, so
 *   the sink usually sees plain Opus; FrameAssembler's own RED path covers raw audio/red input.
 * So a retransmission normally arrives within ~100 ms; JITTER_BUFFER_MS (300) leaves margin.
 */
const CAPACITY = 2048; // power of two; ~4 s of video at 500 packets/s
const MASK = CAPACITY - 1;
const RESET_JUMP = 3000; // a forward jump this large is a stream restart, not a loss burst

/**
 * Reorders RTP packets by extended sequence number, waits up to `waitMs` (real time, measured with
 * the arrival times given) for missing packets (werift NACKs them; RTX arrives unwrapped), then gives
 * up and reports them lost. Padding-only packets occupy their sequence slot but are not emitted.
 */
export class JitterBuffer {
  readonly stats: JitterStats = { received: 0, paddingDropped: 0, duplicates: 0, late: 0, lost: 0, recovered: 0 };
  private readonly seq = new Unwrapper(16);
  private readonly slotSeq = new Float64Array(CAPACITY).fill(-1);
  private readonly slotTs = new Float64Array(CAPACITY);
  private readonly slotArrival = new Float64Array(CAPACITY);
  private readonly slotMarker = new Uint8Array(CAPACITY);
  private readonly slotPt = new Uint8Array(CAPACITY);
  private readonly slotPayload: (Buffer | null)[] = new Array<Buffer | null>(CAPACITY).fill(null);
  private next = -1;
  private highest = -1;

  constructor(private readonly out: JitterOutput, private readonly waitMs: number) {}

  /** Add one packet (rtpTimestamp already unwrapped by the caller). */
  push(seq16: number, rtpTimestamp: number, marker: boolean, payload: Buffer, arrivalMs: number, payloadType = 0): void {
    this.stats.received++;
    const ext = this.seq.unwrap(seq16);
    if (this.next < 0) this.next = this.highest = ext;
    if (ext < this.next) {
      this.stats.late++;
      return;
    }
    if (ext - this.highest > RESET_JUMP) {
      this.flush();
      this.next = this.highest = ext;
    } else if (ext - this.next >= CAPACITY) {
      this.giveUpUntil(ext - CAPACITY + 1);
    }
    const i = ext & MASK;
    if (this.slotSeq[i] === ext) {
      this.stats.duplicates++;
      return;
    }
    this.slotSeq[i] = ext;
    this.slotTs[i] = rtpTimestamp;
    this.slotArrival[i] = arrivalMs;
    this.slotMarker[i] = marker ? 1 : 0;
    this.slotPt[i] = payloadType;
    this.slotPayload[i] = payload;
    if (ext < this.highest) this.stats.recovered++;
    else this.highest = ext;
    this.drain(arrivalMs);
  }

  /** Emit what is ready at `nowMs` (call from a timer so losses are declared without new packets). */
  poll(nowMs: number): void {
    this.drain(nowMs);
  }

  /** Wall time at which the current hole will be given up, or undefined when nothing waits. */
  nextDeadline(): number | undefined {
    if (this.next < 0 || this.next > this.highest) return undefined;
    const first = this.firstPresentAfterHole();
    return first < 0 ? undefined : (this.slotArrival[first & MASK] as number) + this.waitMs;
  }

  /** Emit everything buffered, declaring all holes lost (end of stream, pause). */
  flush(): void {
    if (this.next < 0) return;
    while (this.next <= this.highest) {
      if (!this.emitAt(this.next)) {
        const first = this.firstPresentAfterHole();
        if (first < 0) break;
        this.declareLost(first);
      }
    }
  }

  /** Flush, then forget sequence state (a new SSRC / sender restart starts fresh). */
  reset(): void {
    this.flush();
    this.next = this.highest = -1;
    this.seq.reset();
  }

  private drain(nowMs: number): void {
    if (this.next < 0) return; // nothing received yet (-1 is also the empty-slot marker)
    while (this.next <= this.highest) {
      if (this.emitAt(this.next)) continue;
      const first = this.firstPresentAfterHole();
      if (first < 0) return;
      if ((this.slotArrival[first & MASK] as number) + this.waitMs > nowMs) return;
      this.declareLost(first);
    }
  }

  private emitAt(ext: number): boolean {
    const i = ext & MASK;
    if (this.slotSeq[i] !== ext) return false;
    const payload = this.slotPayload[i] as Buffer;
    this.slotPayload[i] = null;
    this.slotSeq[i] = -1;
    this.next = ext + 1;
    if (payload.length === 0) this.stats.paddingDropped++;
    else this.out.onPacket(ext, this.slotTs[i] as number, this.slotMarker[i] === 1, payload, this.slotArrival[i] as number, this.slotPt[i] as number);
    return true;
  }

  private firstPresentAfterHole(): number {
    for (let e = this.next + 1; e <= this.highest; e++) if (this.slotSeq[e & MASK] === e) return e;
    return -1;
  }

  private declareLost(until: number): void {
    const count = until - this.next;
    this.stats.lost += count;
    this.next = until;
    this.out.onLoss(count, until);
  }

  private giveUpUntil(ext: number): void {
    while (this.next < ext && this.next <= this.highest) {
      if (this.emitAt(this.next)) continue;
      const first = this.firstPresentAfterHole();
      this.declareLost(first < 0 || first > ext ? Math.min(ext, this.highest + 1) : first);
    }
    if (this.next < ext) this.next = ext;
  }
}
