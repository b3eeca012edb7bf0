import { CallPresence, DEFAULT_PRESENCE_SETTINGS, type BotCallView } from './call-presence';

const none = new Map<string, BotCallView>();
const calls = (entries: Record<string, BotCallView>): Map<string, BotCallView> => new Map(Object.entries(entries));
const T0 = 1_000_000;

/** Host A admitted the bot (accepted call, media flowing) and C at the same moment. */
function admittedWithC(): CallPresence {
  const p = new CallPresence('bot');
  p.seen('A', true);
  p.seen('C', false);
  p.tick(T0, calls({ A: { accepted: true, mediaSinceMs: T0 } }));
  p.activity('C', 'A', T0 + 100); // C answers the host
  return p;
}

describe('CallPresence', () => {
  it('calls a participant in a call with others once the grace period has passed, not before', () => {
    const p = admittedWithC();
    const botA = { A: { accepted: true, mediaSinceMs: T0 } };
    expect(p.tick(T0 + 1000, calls(botA)).call).toEqual([]);
    expect(p.tick(T0 + 3000, calls(botA)).call).toEqual([]);
    expect(p.tick(T0 + 3100, calls(botA)).call).toEqual(['C']);
    // our CALLING is out: no second one while the call exists
    expect(p.tick(T0 + 4100, calls({ ...botA, C: { accepted: false } })).call).toEqual([]);
  });

  it('does not call someone seen but in no call (a lobby), nor the host before it admitted us', () => {
    const p = new CallPresence('bot');
    p.seen('A', true);
    p.seen('B', false);
    p.seen('L', false);
    p.activity('A', 'B', T0);
    const d = p.tick(T0 + 10_000, none);
    expect(d.call).toEqual([]);
    // but they are in the call and not recorded: holes from when they were seen in it
    expect(p.holes()).toEqual([
      { participantId: 'A', sinceMs: T0, reason: 'not-connected' },
      { participantId: 'B', sinceMs: T0, reason: 'not-connected' },
    ]);
  });

  it('calls everyone in the call when there is no host to admit us', () => {
    const p = new CallPresence('bot');
    p.seen('B', false);
    p.seen('C', false);
    p.activity('B', 'C', T0);
    expect(p.tick(T0 + 3000, none).call).toEqual(['B', 'C']);
  });

  it('waits the grace period again after a MAKE_CALL told them to call us', () => {
    const p = admittedWithC();
    p.expectCall('C', T0 + 2500);
    const botA = calls({ A: { accepted: true, mediaSinceMs: T0 } });
    expect(p.tick(T0 + 3500, botA).call).toEqual([]);
    expect(p.tick(T0 + 5500, botA).call).toEqual(['C']);
  });

  it('ignores other recorders and itself', () => {
    const p = new CallPresence('bot');
    p.seen('bot', false);
    p.seen('recbot-2', false);
    p.activity('bot', 'recbot-2', T0);
    expect(p.tick(T0 + 5000, none)).toEqual({ call: [], gaps: [], warn: [] });
  });

  it('retries with backoff when its call never led to media', () => {
    const p = admittedWithC();
    const botA = { A: { accepted: true, mediaSinceMs: T0 } };
    let t = T0 + 3100;
    expect(p.tick(t, calls(botA)).call).toEqual(['C']);
    const callTimes = [t];
    // the call is up for 5 s unanswered, then the ladder drops it; C keeps pinging A
    for (t += 1000; t < T0 + 120_000; t += 1000) {
      p.activity('C', 'A', t);
      const onCall = (t - callTimes[callTimes.length - 1]!) < 5000;
      const d = p.tick(t, calls(onCall ? { ...botA, C: { accepted: false } } : botA));
      if (d.call.length > 0) callTimes.push(t);
    }
    const waits = callTimes.slice(1).map((x, i) => x - callTimes[i]!);
    expect(waits[0]).toBe(DEFAULT_PRESENCE_SETTINGS.retryMs);
    expect(waits[1]).toBe(2 * DEFAULT_PRESENCE_SETTINGS.retryMs);
    expect(Math.max(...waits)).toBeLessThanOrEqual(DEFAULT_PRESENCE_SETTINGS.maxRetryMs);
  });

  it('keeps a not-connected then a negotiating gap until the first media, and warns once', () => {
    const p = admittedWithC();
    const botA = { A: { accepted: true, mediaSinceMs: T0 } };
    expect(p.tick(T0 + 1000, calls(botA)).gaps).toEqual([]);
    expect(p.tick(T0 + 3100, calls({ ...botA, C: { accepted: false } })).gaps).toEqual([]);
    const accepted = p.tick(T0 + 4100, calls({ ...botA, C: { accepted: true } }));
    expect(accepted.gaps).toEqual([{ participantId: 'C', startMs: T0 + 100, endMs: T0 + 4100, reason: 'not-connected' }]);
    const w = p.tick(T0 + 9200, calls({ ...botA, C: { accepted: true } }));
    expect(w.warn).toEqual([{ participantId: 'C', sinceMs: T0 + 4100, reason: 'negotiating' }]);
    expect(p.tick(T0 + 9300, calls({ ...botA, C: { accepted: true } })).warn).toEqual([]);
    const media = p.tick(T0 + 10_000, calls({ ...botA, C: { accepted: true, mediaSinceMs: T0 + 9500 } }));
    expect(media.gaps).toEqual([{ participantId: 'C', startMs: T0 + 4100, endMs: T0 + 9500, reason: 'negotiating' }]);
    expect(p.holes()).toEqual([]);
    expect(p.notRecordedMs(T0 + 20_000)).toBe(4000 + 5400);
  });

  it('a new call without media after recorded media (a restart) opens a new hole from then, not from the first call', () => {
    const p = admittedWithC();
    const botA = { A: { accepted: true, mediaSinceMs: T0 } };
    p.tick(T0 + 5000, calls({ ...botA, C: { accepted: true, mediaSinceMs: T0 + 4500 } }));
    p.tick(T0 + 20_000, calls({ ...botA, C: { accepted: true, mediaSinceMs: T0 + 4500 } }));
    // C restarts its call with us: a new call, no media yet
    p.tick(T0 + 21_000, calls({ ...botA, C: { accepted: true } }));
    expect(p.holes()).toEqual([{ participantId: 'C', sinceMs: T0 + 20_000, reason: 'negotiating' }]);
    expect(p.tick(T0 + 22_000, calls({ ...botA, C: { accepted: true, mediaSinceMs: T0 + 21_800 } })).gaps).toEqual([
      { participantId: 'C', startMs: T0 + 20_000, endMs: T0 + 21_800, reason: 'negotiating' },
    ]);
  });

  it('a participant never reached keeps its hole open until it leaves or the bot stops', () => {
    const p = admittedWithC();
    for (let t = T0 + 1000; t <= T0 + 30_000; t += 1000) {
      p.activity('C', 'A', t);
      p.tick(t, calls({ A: { accepted: true, mediaSinceMs: T0 } }));
    }
    expect(p.holes()).toEqual([{ participantId: 'C', sinceMs: T0 + 100, reason: 'not-connected' }]);
    expect(p.notRecordedMs(T0 + 30_100)).toBe(30_000);
    expect(p.closeAll(T0 + 31_000)).toEqual([{ participantId: 'C', startMs: T0 + 100, endMs: T0 + 31_000, reason: 'not-connected' }]);
    expect(p.left('C', T0 + 32_000)).toEqual([]);
  });

  it('closes the hole when the participant is no longer in any call, or leaves', () => {
    const p = admittedWithC();
    const botA = calls({ A: { accepted: true, mediaSinceMs: T0 } });
    p.tick(T0 + 1000, botA);
    const stale = T0 + 100 + DEFAULT_PRESENCE_SETTINGS.activityStaleMs + 1;
    expect(p.tick(stale, botA).gaps).toEqual([{ participantId: 'C', startMs: T0 + 100, endMs: stale, reason: 'not-connected' }]);
    p.activity('C', 'A', stale + 1000);
    p.tick(stale + 1500, botA);
    expect(p.left('C', stale + 2000)).toEqual([{ participantId: 'C', startMs: stale + 1000, endMs: stale + 2000, reason: 'not-connected' }]);
  });

  it('does not track more than a bounded number of ids (hostile rooms)', () => {
    const p = new CallPresence('bot');
    for (let i = 0; i < 5000; i++) p.seen(`x${i}`, false);
    for (let i = 0; i < 5000; i++) p.activity(`x${i}`, 'x0', T0);
    p.tick(T0, none);
    expect(p.holes().length).toBe(1000);
  });
});
