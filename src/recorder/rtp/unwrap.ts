/**
 * Unwrap 16-bit RTP sequence numbers and 32-bit RTP timestamps into monotonic "extended"
 * numbers (safe integers), so that wrap-around never looks like a jump backwards.
 */

/** Extends a wrapping counter of `bits` bits; the first value seen is taken as-is. */
export class Unwrapper {
  private last = -1;
  private readonly modulus: number;
  private readonly half: number;

  constructor(bits: 16 | 32) {
    this.modulus = 2 ** bits;
    this.half = this.modulus / 2;
  }

  /** Returns the extended value nearest to the previous one (handles reordering across the wrap). */
  unwrap(value: number): number {
    if (this.last < 0) {
      // Start a full cycle in, so a slightly older (reordered) first value never goes negative.
      this.last = value + this.modulus;
      return this.last;
    }
    const lastLow = this.last % this.modulus;
    let delta = value - lastLow;
    if (delta > this.half) delta -= this.modulus;
    else if (delta < -this.half) delta += this.modulus;
    const ext = this.last + delta;
    if (ext > this.last) this.last = ext;
    return ext;
  }

  /** Forget history (e.g. after an SSRC change). */
  reset(): void {
    this.last = -1;
  }
}
