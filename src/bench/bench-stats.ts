/** Pure helpers of the benchmark: statistics, /proc parsing, argument parsing. */

/** Median of `xs` (undefined when empty). */
export function median(xs: readonly number[]): number | undefined {
  return percentile(xs, 50);
}

/** Nearest-rank percentile `p` (0..100) of `xs` (undefined when empty). */
export function percentile(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1];
}

/** Round to `digits` decimals (undefined stays undefined). */
export function round(x: number | undefined, digits = 2): number | undefined {
  if (x === undefined || !Number.isFinite(x)) return undefined;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `a / b` rounded, undefined when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined, digits = 2): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return round(a / b, digits);
}

/** CPU time (user + system, in clock ticks) from the text of /proc/PID/stat. */
export function parseProcStatTicks(stat: string): number {
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unparsable /proc/PID/stat');
  return utime + stime;
}

/** A `Key: value kB` field of /proc/PID/status, in MB (undefined when missing). */
export function parseProcStatusMb(status: string, key: 'VmRSS' | 'VmHWM'): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** UDP counters of /proc/net/snmp (system-wide): receive-buffer drops and input errors. */
export function parseUdpSnmp(snmp: string): { rcvbufErrors: number; inErrors: number } | undefined {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const [head, values] = lines;
  if (!head || !values) return undefined;
  const names = head.split(/\s+/);
  const vals = values.split(/\s+/).map(Number);
  const get = (n: string): number => vals[names.indexOf(n)] ?? 0;
  return { rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') };
}

/** Options of `npm run bench`. */
export interface BenchArgs {
  participants: number[];
  seconds: number;
  repeats: number;
  json: string;
  kbps: number;
  modes: ('recbot' | 'baseline')[];
  /** Participants per sender process. */
  perSender: number;
  segmentSeconds: number;
  /** recbot's jitter buffer wait (JITTER_BUFFER_MS; default 300 as in the config). */
  jitterMs: number;
  /** Profile the recorder child (node --cpu-prof into bench-results/prof). */
  cpuProf: boolean;
}

const USAGE = `usage: npm run bench -- [--participants N[,N...]] [--seconds S] [--repeats R] [--json FILE]
       [--kbps VIDEO_KBPS] [--modes recbot,baseline] [--per-sender P] [--segment-seconds S] [--jitter-ms MS] [--cpu-prof]`;

/** Parse command-line arguments (throws with a usage text on bad input). */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { participants: [10], seconds: 60, repeats: 1, json: 'bench-results/bench.json', kbps: 500, modes: ['recbot', 'baseline'], perSender: 10, segmentSeconds: 10, jitterMs: 300, cpuProf: false };
  const int = (v: string | undefined, name: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--cpu-prof') {
      a.cpuProf = true;
      continue;
    }
    const v = argv[i + 1];
    i++;
    switch (k) {
      case '--participants':
      case '-n':
        a.participants = (v ?? '').split(',').map((x) => int(x, '--participants', 1));
        break;
      case '--seconds':
        a.seconds = int(v, '--seconds', 1);
        break;
      case '--repeats':
        a.repeats = int(v, '--repeats', 1);
        break;
      case '--json':
        if (!v) throw new Error(`--json needs a file\n${USAGE}`);
        a.json = v;
        break;
      case '--kbps':
        a.kbps = int(v, '--kbps', 10);
        break;
      case '--per-sender':
        a.perSender = int(v, '--per-sender', 1);
        break;
      case '--jitter-ms':
        a.jitterMs = int(v, '--jitter-ms', 20);
        break;
      case '--segment-seconds':
        a.segmentSeconds = int(v, '--segment-seconds', 2);
        break;
      case '--modes': {
        const modes = (v ?? '').split(',');
        if (modes.some((m) => m !== 'recbot' && m !== 'baseline') || modes.length === 0) throw new Error(`--modes takes recbot and/or baseline\n${USAGE}`);
        a.modes = modes as BenchArgs['modes'];
        break;
      }
      default:
        throw new Error(`unknown argument ${String(k)}\n${USAGE}`);
    }
  }
  return a;
}
