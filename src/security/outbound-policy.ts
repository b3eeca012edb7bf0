import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { RecbotError } from '../common/errors';

/**
 * Where recbot may connect on behalf of an API caller (signaling servers, the app's webrtc-config,
 * webhook receivers). By default every public address; loopback, private, link-local, CGNAT,
 * multicast/reserved ranges, cloud metadata names and URLs with userinfo are refused unless the
 * operator allows them (OUTBOUND_ALLOW). Checked on the URL as given (literal IPs in any encoding
 * WHATWG URL understands: 0x7f000001, 2130706433, [::1], [::ffff:127.0.0.1]) and again on every
 * address its host name resolves to, right before connecting.
 */
export class OutboundForbiddenError extends RecbotError {
  constructor(message: string) {
    super('OUTBOUND_FORBIDDEN', message);
    this.name = 'OutboundForbiddenError';
  }
}

/** Categories an allow entry may name instead of a CIDR or host name. */
const CATEGORIES = ['loopback', 'private', 'link-local', 'any'] as const;
type Category = (typeof CATEGORIES)[number];

const RANGES: Record<Exclude<Category, 'any'> | 'reserved', [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  private: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['fc00::', 7, 'ipv6']],
  'link-local': [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  // Never useful targets: "this network", benchmarking, multicast, reserved, broadcast, IPv6 unspecified/multicast/docs.
  reserved: [
    ['0.0.0.0', 8, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
    ['::', 128, 'ipv6'], ['ff00::', 8, 'ipv6'], ['2001:db8::', 32, 'ipv6'], ['64:ff9b::', 96, 'ipv6'],
  ],
};

/** Host names of cloud metadata services (their IPs are link-local and refused with them). */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

const SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

function blockList(category: keyof typeof RANGES): BlockList {
  const b = new BlockList();
  for (const [net, prefix, family] of RANGES[category]) b.addSubnet(net, prefix, family);
  return b;
}

const LISTS = {
  loopback: blockList('loopback'),
  private: blockList('private'),
  'link-local': blockList('link-local'),
  reserved: blockList('reserved'),
};

/** `::ffff:a.b.c.d` / `::ffff:7f00:1` -> `a.b.c.d`; other addresses unchanged. */
export function unmapIpv4(ip: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return ip;
  if (m[1]) return m[1];
  const hi = parseInt(m[2] ?? '0', 16);
  const lo = parseInt(m[3] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The category a literal IP address falls in, or 'public'. */
export function classifyIp(address: string): keyof typeof LISTS | 'public' {
  const ip = unmapIpv4(address.replace(/^\[|\]$/g, ''));
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  for (const k of ['loopback', 'private', 'link-local', 'reserved'] as const) if (LISTS[k].check(ip, family)) return k;
  return 'public';
}

/** A parsed OUTBOUND_ALLOW: categories, CIDRs/IPs and exact host names. */
export class OutboundPolicy {
  private readonly categories = new Set<Category>();
  private readonly nets = new BlockList();
  private readonly hosts = new Set<string>();

  /** `entries`: `loopback`, `private`, `link-local`, `any`, a CIDR (`10.1.0.0/16`), an IP, or a host name. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (!e) continue;
      if ((CATEGORIES as readonly string[]).includes(e)) this.categories.add(e as Category);
      else if (/^[0-9a-f.:]+\/\d{1,3}$/.test(e)) {
        const [net = '', prefix = '0'] = e.split('/');
        this.nets.addSubnet(unmapIpv4(net), Number(prefix), isIP(unmapIpv4(net)) === 6 ? 'ipv6' : 'ipv4');
      } else if (isIP(e.replace(/^\[|\]$/g, ''))) {
        const ip = unmapIpv4(e.replace(/^\[|\]$/g, ''));
        this.nets.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
      } else this.hosts.add(e);
    }
  }

  /** Whether the policy allows everything (OUTBOUND_ALLOW=any). */
  get allowsAny(): boolean {
    return this.categories.has('any');
  }

  /** Throws OutboundForbiddenError when `address` (a literal IP) is not an allowed target. */
  checkAddress(address: string, label = 'target'): void {
    if (this.allowsAny) return;
    const ip = unmapIpv4(address.replace(/^\[|\]$/g, ''));
    if (this.nets.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) return;
    const cat = classifyIp(ip);
    if (cat === 'public' || (cat !== 'reserved' && this.categories.has(cat))) return;
    throw new OutboundForbiddenError(`${label}: ${cat} address ${ip} is not allowed (OUTBOUND_ALLOW)`);
  }

  /**
   * Check a URL as given: scheme http(s)/ws(s), no userinfo, not a metadata name, and a literal IP
   * host (in any encoding) must be allowed. Returns the parsed URL. Host names are checked again
   * after resolution (checkResolved).
   */
  checkUrl(raw: string, label = 'url'): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundForbiddenError(`${label}: not a valid URL`);
    }
    if (!SCHEMES.has(url.protocol)) throw new OutboundForbiddenError(`${label}: scheme ${url.protocol} is not allowed (http, https, ws, wss)`);
    if (url.username || url.password) throw new OutboundForbiddenError(`${label}: credentials in the URL are not allowed`);
    const host = url.hostname.toLowerCase().replace(/\.$/, '');
    if (this.allowsAny || this.hosts.has(host)) return url;
    if (METADATA_NAMES.has(host)) throw new OutboundForbiddenError(`${label}: metadata host ${host} is not allowed (OUTBOUND_ALLOW)`);
    if (host === 'localhost' || host.endsWith('.localhost')) this.checkAddress('127.0.0.1', label);
    const literal = host.replace(/^\[|\]$/g, '');
    if (isIP(literal)) this.checkAddress(literal, label);
    return url;
  }

  /** checkUrl, then resolve the host name and check every address (at connect time). */
  async checkResolved(raw: string, label = 'url', resolve: typeof lookup = lookup): Promise<URL> {
    const url = this.checkUrl(raw, label);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.allowsAny || this.hosts.has(host.toLowerCase()) || isIP(host)) return url;
    let addresses: { address: string }[];
    try {
      addresses = await resolve(host, { all: true, verbatim: true });
    } catch (err) {
      throw new RecbotError('OUTBOUND_UNRESOLVED', `${label}: cannot resolve ${host}`, { retryable: true, cause: err });
    }
    for (const a of addresses) this.checkAddress(a.address, `${label} (${host})`);
    return url;
  }
}

/** Parse the OUTBOUND_ALLOW setting (comma-separated). */
export function outboundPolicyFrom(setting: string | undefined): OutboundPolicy {
  return new OutboundPolicy((setting ?? '').split(','));
}
