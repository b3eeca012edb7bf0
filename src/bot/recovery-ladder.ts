/** Thresholds of the recovery ladder (from bot.config.ts). */
export interface LadderSettings {
  statsIntervalMs: number;
  iceRestartAfterMs: number;
  fullRestartAfterMs: number;
  networkWaitMs: number;
}

export type CallRole = 'caller' | 'callee';
export type LadderAction = 'none' | 'ice-restart' | 'full-restart' | 'end-call';

/**
 * Per-peer health, fed every stats tick with the received RTP byte count. A call is frozen when
 * no bytes moved between two ticks; the problem is confirmed after two bad ticks and dated from
 * the first one.
 */
export class FrozenDetector {
  private lastBytes: number | undefined;
  private badTicks = 0;
  private firstBadMs: number | undefined;

  /** Returns the time the confirmed problem started, or undefined when healthy. */
  tick(bytes: number, nowMs: number): number | undefined {
    const moved = this.lastBytes === undefined ? bytes > 0 : bytes !== this.lastBytes;
    this.lastBytes = bytes;
    if (moved) {
      this.badTicks = 0;
      this.firstBadMs = undefined;
      return undefined;
    }
    this.badTicks++;
    this.firstBadMs ??= nowMs;
    return this.badTicks >= 2 ? this.firstBadMs : undefined;
  }

  reset(): void {
    this.lastBytes = undefined;
    this.badTicks = 0;
    this.firstBadMs = undefined;
  }
}

export interface LadderState {
  role: CallRole;
  /** When the current problem started (frozen media or failed transport); undefined = healthy. */
  problemSinceMs: number | undefined;
  /** Our signaling socket is up (we can send restarts). */
  socketUp: boolean;
  /** The remote's socket is up (it is in the room). */
  remotePresent: boolean;
  iceRestartDone: boolean;
  fullRestartDone: boolean;
}

/**
 * What to do now, as real clients do: ICE restart (caller only) at 9 s, full restart at 18 s
 * (caller: new CALLING; callee: RESTART_CALL); with our socket or the remote gone, wait the
 * network grace (60 s; callee +18 s) and then end the call.
 */
export function nextRecoveryAction(s: LadderSettings, st: LadderState, nowMs: number): LadderAction {
  if (st.problemSinceMs === undefined) return 'none';
  const elapsed = nowMs - st.problemSinceMs;
  if (!st.socketUp || !st.remotePresent) {
    const grace = s.networkWaitMs + (st.role === 'callee' ? s.fullRestartAfterMs : 0);
    return elapsed >= grace ? 'end-call' : 'none';
  }
  if (elapsed >= s.fullRestartAfterMs && !st.fullRestartDone) return 'full-restart';
  if (st.role === 'caller' && elapsed >= s.iceRestartAfterMs && !st.iceRestartDone) return 'ice-restart';
  if (elapsed >= s.networkWaitMs + s.fullRestartAfterMs) return 'end-call';
  return 'none';
}
