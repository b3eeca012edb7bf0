import { median, parseBenchArgs, parseProcStatTicks, parseProcStatusMb, parseUdpSnmp, percentile, ratio } from './bench-stats';
import { unixMsToNtp } from './media-recorder-sink';
import { ntpToUnixMs } from '../bot/call-peer';

describe('bench stats', () => {
  it('computes nearest-rank percentiles and medians', () => {
    expect(median([])).toBeUndefined();
    expect(median([5, 1, 3])).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeUndefined();
  });

  it('parses /proc stat (command names with spaces and parentheses), status and snmp', () => {
    const stat = '1234 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 11 0 100 200 300';
    expect(parseProcStatTicks(stat)).toBe(300);
    expect(parseProcStatusMb('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n', 'VmRSS')).toBe(100);
    expect(parseProcStatusMb('Name:\tnode\n', 'VmHWM')).toBeUndefined();
    const snmp = 'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 10 0 7 12 5 0\n';
    expect(parseUdpSnmp(snmp)).toEqual({ rcvbufErrors: 5, inErrors: 7 });
  });

  it('parses arguments with defaults and rejects bad ones', () => {
    expect(parseBenchArgs([])).toMatchObject({ participants: [10], seconds: 60, json: 'bench-results/bench.json', modes: ['recbot', 'baseline'], cpuProf: false });
    expect(parseBenchArgs(['--participants', '10,40', '--seconds', '30', '--cpu-prof', '--modes', 'recbot'])).toMatchObject({ participants: [10, 40], seconds: 30, cpuProf: true, modes: ['recbot'] });
    expect(() => parseBenchArgs(['--participants', '0'])).toThrow(/participants/);
    expect(() => parseBenchArgs(['--modes', 'x'])).toThrow(/modes/);
    expect(() => parseBenchArgs(['--what'])).toThrow(/unknown/);
  });

  it('converts Unix ms to NTP and back (baseline sender reports)', () => {
    const ms = 1_763_776_000_123.5;
    expect(Math.abs(ntpToUnixMs(unixMsToNtp(ms)) - ms)).toBeLessThan(0.01);
  });
});
