import { FrozenDetector, nextRecoveryAction, type LadderState } from './recovery-ladder';

const s = { statsIntervalMs: 5000, iceRestartAfterMs: 9000, fullRestartAfterMs: 18_000, networkWaitMs: 60_000 };
const base: LadderState = {
  role: 'caller',
  problemSinceMs: 0,
  socketUp: true,
  remotePresent: true,
  iceRestartDone: false,
  fullRestartDone: false,
};

describe('FrozenDetector', () => {
  it('confirms a frozen call after two bad ticks, dated from the first', () => {
    const d = new FrozenDetector();
    expect(d.tick(100, 0)).toBeUndefined();
    expect(d.tick(100, 5000)).toBeUndefined();
    expect(d.tick(100, 10_000)).toBe(5000);
    expect(d.tick(200, 15_000)).toBeUndefined();
  });

  it('treats zero bytes from the start as bad', () => {
    const d = new FrozenDetector();
    expect(d.tick(0, 0)).toBeUndefined();
    expect(d.tick(0, 5000)).toBe(0);
  });
});

describe('nextRecoveryAction', () => {
  it('does nothing while healthy', () => {
    expect(nextRecoveryAction(s, { ...base, problemSinceMs: undefined }, 1e9)).toBe('none');
  });

  it('caller: ICE restart at 9 s, full restart at 18 s', () => {
    expect(nextRecoveryAction(s, base, 8999)).toBe('none');
    expect(nextRecoveryAction(s, base, 9000)).toBe('ice-restart');
    expect(nextRecoveryAction(s, { ...base, iceRestartDone: true }, 12_000)).toBe('none');
    expect(nextRecoveryAction(s, { ...base, iceRestartDone: true }, 18_000)).toBe('full-restart');
  });

  it('callee: never ICE restarts, asks for a full restart at 18 s', () => {
    const callee = { ...base, role: 'callee' as const };
    expect(nextRecoveryAction(s, callee, 10_000)).toBe('none');
    expect(nextRecoveryAction(s, callee, 18_000)).toBe('full-restart');
    expect(nextRecoveryAction(s, { ...callee, fullRestartDone: true }, 40_000)).toBe('none');
  });

  it('socket or remote down: waits the grace (callee +18 s) then ends the call', () => {
    expect(nextRecoveryAction(s, { ...base, socketUp: false }, 30_000)).toBe('none');
    expect(nextRecoveryAction(s, { ...base, socketUp: false }, 60_000)).toBe('end-call');
    const callee = { ...base, role: 'callee' as const, remotePresent: false };
    expect(nextRecoveryAction(s, callee, 60_000)).toBe('none');
    expect(nextRecoveryAction(s, callee, 78_000)).toBe('end-call');
  });

  it('ends a call that stays frozen after every restart', () => {
    const done = { ...base, iceRestartDone: true, fullRestartDone: true };
    expect(nextRecoveryAction(s, done, 77_999)).toBe('none');
    expect(nextRecoveryAction(s, done, 78_000)).toBe('end-call');
  });
});
