import { newManifest } from './manifest-store';
import { canMove, failEvent, transition, FAIL_REASON_MAX } from './manifest-status';
import type { RecordingManifest, RecordingStatus } from './manifest.types';

const at = (status: RecordingStatus): RecordingManifest => ({ ...newManifest({ recordingId: 'r', roomId: 'room', sessionStartMs: 100 }), status });

describe('transition', () => {
  it.each<[RecordingStatus, RecordingStatus]>([
    ['pending', 'joining'],
    ['pending', 'recording'],
    ['pending', 'processing'],
    ['joining', 'recording'],
    ['recording', 'processing'],
    ['processing', 'completed'],
    ['pending', 'failed'],
    ['recording', 'failed'],
    ['processing', 'failed'],
    ['failed', 'completed'],
    ['recording', 'deleted'],
    ['completed', 'deleted'],
    ['failed', 'deleted'],
  ])('allows %s -> %s and records it once in the history', (from, to) => {
    const m = at(from);
    const r = transition(m, { to, atMs: 200, reason: 'why' });
    expect(r).toMatchObject({ ok: true, changed: true });
    if (!r.ok) return;
    expect(r.manifest.status).toBe(to);
    expect(r.manifest.statusHistory.at(-1)).toEqual({ status: to, atMs: 200, reason: 'why' });
    expect(m.status).toBe(from); // the input is not changed
    expect(m.statusHistory).toHaveLength(1);
  });

  it.each<[RecordingStatus, RecordingStatus]>([
    ['recording', 'pending'],
    ['recording', 'joining'],
    ['processing', 'recording'],
    ['completed', 'processing'],
    ['completed', 'failed'],
    ['failed', 'recording'],
    ['failed', 'processing'],
    ['deleted', 'completed'],
    ['deleted', 'failed'],
    ['deleted', 'pending'],
  ])('refuses %s -> %s', (from, to) => {
    expect(canMove(from, to)).toBe(false);
    expect(transition(at(from), { to, atMs: 1 })).toEqual({ ok: false, from, to });
  });

  it('a move to the current state changes nothing', () => {
    const m = at('recording');
    expect(transition(m, { to: 'recording', atMs: 5 })).toEqual({ ok: true, changed: false, manifest: m });
  });

  it('entering processing ends the session once', () => {
    const r = transition(at('recording'), { to: 'processing', atMs: 900 });
    expect(r.ok && r.manifest.sessionEndMs).toBe(900);
    const kept = transition({ ...at('recording'), sessionEndMs: 800 }, { to: 'processing', atMs: 900 });
    expect(kept.ok && kept.manifest.sessionEndMs).toBe(800);
  });

  it('the failed event keeps a bounded reason', () => {
    expect(failEvent('x'.repeat(2000), 7)).toEqual({ to: 'failed', atMs: 7, reason: 'x'.repeat(FAIL_REASON_MAX) });
  });
});
