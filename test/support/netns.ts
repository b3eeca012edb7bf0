/**
 * A network namespace of the test's own, joined to the host by a veth pair, for network faults
 * without netem (this kernel has none; see design.md): a process started through `wrap()` (e.g.
 * Chromium) runs inside it and reaches the host at `hostIp`; `startLoss()` drops a share of the UDP
 * packets leaving the namespace with an nftables `netdev` egress rule on its end of the veth (after
 * the socket layer, so the sender gets no error and cannot simply resend, as on a lossy network).
 * Nothing outside the namespace and its veth pair is touched. Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN).
 * close() deletes the namespace (and with it the veth pair and the rules); it is idempotent.
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestNetns {
  readonly name: string;
  /** The host's address on the veth pair (bind servers here so the namespace reaches them). */
  readonly hostIp: string;
  /** The namespace's address. */
  readonly nsIp: string;
  /** Write an executable wrapper at `file` that runs `executable` with its arguments inside the namespace. */
  wrap(executable: string, file: string): string;
  /** Drop `percent`% of the UDP packets leaving the namespace, at random. */
  startLoss(percent: number): Promise<{ dropped(): Promise<number>; stop(): Promise<void> }>;
  close(): Promise<void>;
}

let seq = 0;

export async function createTestNetns(): Promise<TestNetns> {
  const n = (process.pid % 200) + (++seq % 50);
  const name = `recbot-${process.pid}-${seq}`;
  const hostIf = `rbh${process.pid % 100000}${seq}`.slice(0, 15);
  const nsIf = `rbn${process.pid % 100000}${seq}`.slice(0, 15);
  const net = `10.213.${n % 250}`;
  const hostIp = `${net}.1`;
  const nsIp = `${net}.2`;
  const ip = (...args: string[]): Promise<unknown> => run('ip', args);
  const inNs = (...args: string[]): Promise<{ stdout: string }> => run('ip', ['netns', 'exec', name, ...args]);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= (async () => {
    await ip('netns', 'del', name).catch(() => undefined);
    await ip('link', 'del', hostIf).catch(() => undefined); // normally gone with the namespace
  })());
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    await ip('link', 'set', nsIf, 'netns', name);
    await ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    await ip('link', 'set', hostIf, 'up');
    await inNs('ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    await inNs('ip', 'link', 'set', nsIf, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('ip', 'route', 'add', 'default', 'via', hostIp);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name, hostIp, nsIp, close,
    wrap(executable, file) {
      writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${name} ${executable} "$@"\n`);
      chmodSync(file, 0o755);
      return file;
    },
    async startLoss(percent) {
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new Error(`netns: bad percent ${percent}`);
      const table = `recbot_loss_${seq}`;
      const nft = (...args: string[]): Promise<{ stdout: string }> => inNs('nft', ...args);
      await nft('add', 'table', 'netdev', table);
      await nft('add', 'chain', 'netdev', table, 'out', `{ type filter hook egress device "${nsIf}" priority 0; policy accept; }`);
      await nft('add', 'rule', 'netdev', table, 'out', 'meta', 'l4proto', 'udp', 'numgen', 'random', 'mod', '100', '<', String(percent), 'counter', 'drop');
      let stopped: Promise<void> | undefined;
      return {
        async dropped() {
          const { stdout } = await nft('list', 'table', 'netdev', table);
          return [...stdout.matchAll(/counter packets (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
        },
        stop: () => (stopped ??= nft('delete', 'table', 'netdev', table).then(() => undefined, () => undefined)),
      };
    },
  };
}
