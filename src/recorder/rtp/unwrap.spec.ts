import { Unwrapper } from './unwrap';

describe('Unwrapper', () => {
  it('extends 16-bit sequence numbers across the wrap, forwards and with reordering', () => {
    const u = new Unwrapper(16);
    const a = u.unwrap(65534);
    expect(u.unwrap(65535)).toBe(a + 1);
    expect(u.unwrap(1)).toBe(a + 3);
    expect(u.unwrap(0)).toBe(a + 2); // late packet from before the wrap point
    expect(u.unwrap(65535)).toBe(a + 1); // reordered across the wrap
    expect(u.unwrap(2)).toBe(a + 4);
  });

  it('never goes negative for a slightly older first-seen value', () => {
    const u = new Unwrapper(16);
    const a = u.unwrap(3);
    expect(u.unwrap(65530)).toBe(a - 9);
    expect(a - 9).toBeGreaterThan(0);
  });

  it('extends 32-bit RTP timestamps across the wrap', () => {
    const u = new Unwrapper(32);
    const a = u.unwrap(2 ** 32 - 1000);
    expect(u.unwrap(2000)).toBe(a + 3000);
    expect(u.unwrap(2 ** 32 - 10)).toBe(a + 990);
  });
});
