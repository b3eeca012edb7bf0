import { JitterBuffer, type JitterOutput } from './jitter-buffer';

type Ev = ['pkt', number, Buffer] | ['loss', number];

function setup(waitMs = 100): { jb: JitterBuffer; ev: Ev[] } {
  const ev: Ev[] = [];
  const out: JitterOutput = {
    onPacket: (_e, ts, _m, payload) => void ev.push(['pkt', ts, payload]),
    onLoss: (count) => void ev.push(['loss', count]),
  };
  return { jb: new JitterBuffer(out, waitMs), ev };
}
const P = (n: number): Buffer => Buffer.from([n & 0xff]);
const ts = (ev: Ev[]): number[] => ev.filter((e) => e[0] === 'pkt').map((e) => e[1]);

describe('JitterBuffer', () => {
  it('passes in-order packets straight through', () => {
    const { jb, ev } = setup();
    for (let i = 0; i < 5; i++) jb.push(100 + i, i, false, P(i), i);
    expect(ts(ev)).toEqual([0, 1, 2, 3, 4]);
  });

  it('reorders packets that arrive out of order and counts the recovered ones', () => {
    const { jb, ev } = setup();
    jb.push(1, 1, false, P(1), 0);
    jb.push(3, 3, false, P(3), 1);
    jb.push(4, 4, false, P(4), 2);
    expect(ts(ev)).toEqual([1]);
    jb.push(2, 2, false, P(2), 50); // e.g. an RTX retransmission after a NACK
    expect(ts(ev)).toEqual([1, 2, 3, 4]);
    expect(jb.stats.recovered).toBe(1);
    expect(jb.stats.lost).toBe(0);
  });

  it('drops padding-only packets without counting them as losses', () => {
    const { jb, ev } = setup();
    jb.push(10, 1, false, P(1), 0);
    jb.push(11, 1, false, Buffer.alloc(0), 1);
    jb.push(12, 1, false, Buffer.alloc(0), 2);
    jb.push(13, 2, true, P(2), 3);
    expect(ts(ev)).toEqual([1, 2]);
    expect(jb.stats.paddingDropped).toBe(2);
    expect(jb.stats.lost).toBe(0);
    expect(ev.some((e) => e[0] === 'loss')).toBe(false);
  });

  it('gives up on a hole after the real-time wait and reports the loss in order', () => {
    const { jb, ev } = setup(100);
    jb.push(1, 1, false, P(1), 0);
    jb.push(4, 4, false, P(4), 10);
    jb.poll(109);
    expect(ts(ev)).toEqual([1]);
    expect(jb.nextDeadline()).toBe(110);
    jb.poll(110);
    expect(ev).toEqual([['pkt', 1, P(1)], ['loss', 2], ['pkt', 4, P(4)]]);
    expect(jb.stats.lost).toBe(2);
    jb.push(2, 2, false, P(2), 120); // too late now
    expect(jb.stats.late).toBe(1);
    expect(ts(ev)).toEqual([1, 4]);
  });

  it('handles sequence wrap-around without inventing losses', () => {
    const { jb, ev } = setup();
    [65533, 65535, 65534, 0, 2, 1].forEach((s, i) => jb.push(s, i, false, P(i), i));
    expect(ts(ev)).toEqual([0, 2, 1, 3, 5, 4]);
    expect(jb.stats.lost).toBe(0);
  });

  it('counts duplicates and ignores them', () => {
    const { jb, ev } = setup();
    jb.push(1, 1, false, P(1), 0);
    jb.push(3, 3, false, P(3), 0);
    jb.push(3, 3, false, P(3), 0);
    jb.push(1, 1, false, P(1), 0);
    expect(jb.stats.duplicates).toBe(1);
    expect(jb.stats.late).toBe(1);
    jb.flush();
    expect(ev).toEqual([['pkt', 1, P(1)], ['loss', 1], ['pkt', 3, P(3)]]);
  });

  it('polling before any packet does nothing', () => {
    const { jb, ev } = setup();
    jb.poll(1000);
    jb.flush();
    expect(ev).toEqual([]);
    expect(jb.nextDeadline()).toBeUndefined();
  });

  it('treats a huge forward jump as a stream restart', () => {
    const { jb, ev } = setup();
    jb.push(100, 1, false, P(1), 0);
    jb.push(30_000, 2, false, P(2), 1);
    jb.push(30_001, 3, false, P(3), 2);
    expect(ts(ev)).toEqual([1, 2, 3]);
    expect(jb.stats.lost).toBe(0);
  });
});
