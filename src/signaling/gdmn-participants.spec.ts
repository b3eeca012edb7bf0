import { EnumReplyThrottle, ParticipantTable, participantFromJoin } from './gdmn-participants';

describe('ParticipantTable', () => {
  it('maps JOIN states and caps the table', () => {
    const t = new ParticipantTable(2);
    const host = participantFromJoin({ fromId: 'h', name: 'Host', participantState: 'master' });
    expect(host).toMatchObject({ host: true, ready: false });
    expect(t.upsert(host)).toBe('joined');
    expect(t.upsert({ ...host, name: 'Host 2' })).toBe('updated');
    expect(t.upsert(participantFromJoin({ fromId: 'g', name: 'G', participantState: 'ready-to-go' }))).toBe('joined');
    expect(t.upsert(participantFromJoin({ fromId: 'x', name: 'X' }))).toBe('full');
    expect(t.list().map((p) => p.id)).toEqual(['h', 'g']);
    expect(t.remove('h')).toBe(true);
    expect(t.remove('h')).toBe(false);
  });
});

describe('EnumReplyThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('replies at once up to the rate, then once per second', () => {
    const reply = jest.fn();
    const th = new EnumReplyThrottle(reply, 3);
    for (let i = 0; i < 100; i++) th.onEnum(1000);
    expect(reply).toHaveBeenCalledTimes(3);
    jest.advanceTimersByTime(1000);
    expect(reply).toHaveBeenCalledTimes(4);
    th.onEnum(2500); // a new window: immediate again
    expect(reply).toHaveBeenCalledTimes(5);
    th.close();
  });
});
