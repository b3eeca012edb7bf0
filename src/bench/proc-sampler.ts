import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseProcStatTicks, parseProcStatusMb, parseUdpSnmp } from './bench-stats';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (getconf CLK_TCK; 100 on Linux when unknown). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** One reading of a process: CPU seconds used so far, resident and peak resident memory (MB). */
export interface ProcSample {
  atMs: number;
  cpuS: number;
  rssMb: number;
  hwmMb: number;
}

/** Read /proc/PID/{stat,status}; undefined when the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const cpuS = parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { atMs: Date.now(), cpuS, rssMb: parseProcStatusMb(status, 'VmRSS') ?? 0, hwmMb: parseProcStatusMb(status, 'VmHWM') ?? 0 };
  } catch {
    return undefined;
  }
}

/** CPU share between two samples, in percent of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return ((b.cpuS - a.cpuS) / ((b.atMs - a.atMs) / 1000)) * 100;
}

/** System-wide UDP receive drops (loopback included); undefined off Linux. */
export function udpDrops(): { rcvbufErrors: number; inErrors: number } | undefined {
  try {
    return parseUdpSnmp(readFileSync('/proc/net/snmp', 'utf8'));
  } catch {
    return undefined;
  }
}
