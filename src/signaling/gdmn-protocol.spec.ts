import { LIMITS, callConfigFrom, messageToId, parseGdmnMessage } from './gdmn-protocol';

const session = { fromId: 'a', toId: 'b', sessionId: 's1' };

describe('parseGdmnMessage', () => {
  it.each([
    [{ type: 'ENUM', payload: { fromId: 'a' } }],
    [{ type: 'JOIN', payload: { fromId: 'a', name: 'Ann', state: 'ready', participantState: 'ready-to-go' } }],
    [{ type: 'CALLING', payload: { ...session, config: { stun: [{ urls: 'stun:x' }], turn: [], icePolicy: 'relay' } } }],
    [{ type: 'ANSWER_CALL', payload: { ...session, audioEnabled: true, videoEnabled: false } }],
    [{ type: 'SIGNAL', payload: { ...session, description: { type: 'offer', sdp: 'v=0' } } }],
    [{ type: 'SIGNAL', payload: { ...session, candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0' } } }],
    [{ type: 'SOCKET_PING', payload: session }],
    [{ type: 'MAKE_CALL', payload: { fromId: 'h', toId: 'b', calleeId: 'c' } }],
    [{ type: 'SOCKET_DISCONNECTED', payload: { roomId: 'video:1', participantId: 'a' } }],
    [{ type: 'CUSTOM_MESSAGE', payload: { fromId: 'a', data: { x: 1 } } }],
  ])('accepts %j', (raw) => {
    const r = parseGdmnMessage(raw);
    expect(r).toMatchObject({ ok: true });
  });

  it.each([
    [null, 'not an object'],
    ['ENUM', 'not an object'],
    [[1, 2], 'not an object'],
    [{ payload: {} }, 'missing type'],
    [{ type: 'NOPE', payload: {} }, 'NOPE'],
    [{ type: 'ENUM' }, 'ENUM'],
    [{ type: 'ENUM', payload: { fromId: 7 } }, 'ENUM'],
    [{ type: 'JOIN', payload: { fromId: 'a'.repeat(LIMITS.ID_CHARS + 1) } }, 'JOIN'],
    [{ type: 'SIGNAL', payload: { ...session } }, 'SIGNAL'],
    [{ type: 'SIGNAL', payload: { ...session, description: { type: 'pranswer', sdp: 'v=0' } } }, 'SIGNAL'],
    [{ type: 'SIGNAL', payload: { ...session, description: { type: 'offer', sdp: 'x'.repeat(LIMITS.SDP_CHARS + 1) } } }, 'SIGNAL'],
    [{ type: 'CALLING', payload: { ...session, config: { stun: Array(100).fill({ urls: 'stun:x' }) } } }, 'CALLING'],
    [{ type: 'CUSTOM_MESSAGE', payload: { fromId: 'a', data: 'x'.repeat(LIMITS.CUSTOM_DATA_CHARS + 1) } }, 'too large'],
  ])('rejects %j with a reason', (raw, reason) => {
    const r = parseGdmnMessage(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('ignores unknown extra fields and reads toId', () => {
    const r = parseGdmnMessage({ type: 'SOCKET_PONG', payload: { ...session, extra: { deep: true } }, junk: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(messageToId(r.message)).toBe('b');
  });

  it('survives hostile shapes without throwing', () => {
    const hostile: unknown[] = [
      Object.create(null),
      { type: { toString: () => 'ENUM' } },
      { type: 'JOIN', payload: new Proxy({}, { get: () => 'x' }) },
      { type: 'SIGNAL', payload: { ...session, description: { type: 'offer', sdp: ['v=0'] } } },
    ];
    for (const h of hostile) expect(() => parseGdmnMessage(h)).not.toThrow();
  });
});

describe('callConfigFrom', () => {
  it('puts STUN-only servers under stun and TURN servers under turn, keeping the policy', () => {
    const stun = { urls: 'stun:127.0.0.1:3478' };
    const turn = { urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349'], username: 'u', credential: 'c' };
    const c = callConfigFrom({ iceServers: [stun, turn], iceTransportPolicy: 'relay' });
    expect(c).toEqual({ stun: [stun], turn: [turn], icePolicy: 'relay' });
    expect(callConfigFrom({ iceServers: [] })).toEqual({ stun: [], turn: [], icePolicy: 'all' });
  });
});
