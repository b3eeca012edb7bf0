/**
 * Packet loss for e2e tests without netem (this kernel has none): an nftables table of its own with
 * one rule `numgen random mod 100 < N counter drop` per UDP port pair (src -> dst) arriving on the
 * loopback interface, so no other traffic on the machine is touched. Dropped on input, as a lossy
 * network would: the sender does not learn about it.
 * Needs root (CAP_NET_ADMIN). close() deletes the table; it is idempotent.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let seq = 0;

export interface LoopbackLoss {
  readonly table: string;
  /** Packets dropped by the rule so far. */
  dropped(): Promise<number>;
  close(): Promise<void>;
}

/** Drop `percent`% of the loopback UDP packets from port src to port dst of each pair, at random. */
export async function startLoopbackLoss(o: { pairs: [src: number, dst: number][]; percent: number }): Promise<LoopbackLoss> {
  for (const v of [o.percent, ...o.pairs.flat()]) if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`netem: bad port or percent ${v}`);
  if (o.pairs.length === 0) throw new Error('netem: no port pair');
  const table = `recbot_netem_${process.pid}_${++seq}`;
  const nft = (...args: string[]): Promise<{ stdout: string }> => run('nft', args);
  await nft('add', 'table', 'inet', table);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= nft('delete', 'table', 'inet', table).then(() => undefined, () => undefined));
  try {
    // The input hook, not output: a drop in output makes the sender's sendmsg() fail with EPERM, and
    // Chromium then simply sends the packet again (the loss never reaches the receiver).
    await nft('add', 'chain', 'inet', table, 'in', '{ type filter hook input priority 0; policy accept; }');
    for (const [src, dst] of o.pairs) {
      await nft('add', 'rule', 'inet', table, 'in', 'meta', 'iifname', 'lo', 'udp', 'sport', String(src), 'udp', 'dport', String(dst),
        'numgen', 'random', 'mod', '100', '<', String(o.percent), 'counter', 'drop');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    table,
    async dropped() {
      const { stdout } = await nft('list', 'table', 'inet', table);
      return [...stdout.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    },
    close,
  };
}
