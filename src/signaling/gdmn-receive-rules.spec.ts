import { admitInbound, type ReceiveContext } from './gdmn-receive-rules';

const ctx: ReceiveContext = {
  selfId: 'bot',
  sessionOf: (peer) => (peer === 'alice' ? 's1' : undefined),
  knows: (peer) => peer === 'alice' || peer === 'bob',
};
const msg = (type: string, payload: Record<string, unknown>): unknown => ({ type, payload });

describe('admitInbound (receive rules of real clients)', () => {
  it('admits a SIGNAL of the current session addressed to us', () => {
    const r = admitInbound(msg('SIGNAL', { fromId: 'alice', toId: 'bot', sessionId: 's1', candidate: { candidate: 'c' } }), ctx);
    expect(r.ok).toBe(true);
  });

  it.each([
    ['malformed', { type: 'SIGNAL', payload: { fromId: 'alice' } }],
    ['own', msg('JOIN', { fromId: 'bot', name: 'me' })],
    ['own', msg('SOCKET_DISCONNECTED', { roomId: 'video:1', participantId: 'bot' })],
    ['not-for-us', msg('CALLING', { fromId: 'alice', toId: 'carol', sessionId: 's9' })],
    ['stale-session', msg('SIGNAL', { fromId: 'alice', toId: 'bot', sessionId: 'old', description: { type: 'offer', sdp: 'v=0' } })],
    ['stale-session', msg('ANSWER_CALL', { fromId: 'bob', toId: 'bot', sessionId: 's1' })],
    ['stale-session', msg('SOCKET_PONG', { fromId: 'alice', toId: 'bot', sessionId: 's0' })],
    ['stale-session', msg('END_CALL', { fromId: 'alice', toId: 'bot', sessionId: 's0' })],
    ['stale-session', msg('RESTART_CALL', { fromId: 'alice', toId: 'bot', sessionId: 's0' })],
    ['calling-from-unseen', msg('CALLING', { fromId: 'mallory', toId: 'bot', sessionId: 's2' })],
  ])('drops %s: %j', (reason, raw) => {
    expect(admitInbound(raw, ctx)).toMatchObject({ ok: false, reason });
  });

  it('hands back call traffic between others (not-for-us) for presence, validated', () => {
    const r = admitInbound(msg('SOCKET_PING', { fromId: 'alice', toId: 'carol', sessionId: 's9' }), ctx);
    expect(r).toEqual({ ok: false, reason: 'not-for-us', message: { type: 'SOCKET_PING', payload: { fromId: 'alice', toId: 'carol', sessionId: 's9' } } });
    expect(admitInbound(msg('SOCKET_PING', { fromId: 'alice', toId: 5 }), ctx)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('admits messages without toId (broadcasts), a CALLING from a seen participant, and pings of any session', () => {
    expect(admitInbound(msg('ENUM', { fromId: 'mallory' }), ctx).ok).toBe(true);
    expect(admitInbound(msg('CALLING', { fromId: 'bob', toId: 'bot', sessionId: 'new' }), ctx).ok).toBe(true);
    expect(admitInbound(msg('SOCKET_PING', { fromId: 'bob', toId: 'bot', sessionId: 'whatever' }), ctx).ok).toBe(true);
    expect(admitInbound(msg('MAKE_CALL', { fromId: 'alice', toId: 'bot', calleeId: 'bob' }), ctx).ok).toBe(true);
  });
});
