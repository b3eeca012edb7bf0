import { RecbotError } from '../common/errors';
import { classifyIp, outboundPolicyFrom, unmapIpv4 } from './outbound-policy';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof RecbotError ? e.code : 'other';
  }
};

describe('outbound policy (SSRF)', () => {
  const strict = outboundPolicyFrom(undefined);

  it.each([
    'http://127.0.0.1:6379',
    'http://localhost:3000',
    'http://0x7f000001:3000',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]:3000',
    'http://[::ffff:127.0.0.1]:3000',
    'http://[::ffff:7f00:1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://metadata.google.internal/computeMetadata/v1',
    'http://metadata/',
    'http://10.0.0.5/',
    'http://192.168.1.1/',
    'http://172.16.3.4/',
    'http://100.64.0.1/',
    'http://0.0.0.0:8080/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'ws://127.0.0.1:4000',
    'http://user:pass@example.com/',
    'http://user@example.com/',
    'ftp://example.com/',
    'file:///etc/passwd',
    'gopher://example.com/',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s by default with OUTBOUND_FORBIDDEN', (url) => {
    expect(code(() => strict.checkUrl(url))).toBe('OUTBOUND_FORBIDDEN');
  });

  it.each(['https://meet.example.com', 'wss://meet.example.com/socket.io', 'http://93.184.216.34:3000', 'http://[2606:4700::1]/'])('allows public %s', (url) => {
    expect(code(() => strict.checkUrl(url))).toBeUndefined();
  });

  it('OUTBOUND_ALLOW=loopback allows loopback in every encoding, nothing else private', () => {
    const p = outboundPolicyFrom('loopback');
    for (const u of ['http://127.0.0.1:1', 'http://localhost:1', 'http://0x7f000001/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/']) expect(code(() => p.checkUrl(u))).toBeUndefined();
    expect(code(() => p.checkUrl('http://10.0.0.1/'))).toBe('OUTBOUND_FORBIDDEN');
    expect(code(() => p.checkUrl('http://169.254.169.254/'))).toBe('OUTBOUND_FORBIDDEN');
    expect(code(() => p.checkUrl('http://u:p@127.0.0.1/'))).toBe('OUTBOUND_FORBIDDEN'); // userinfo never
  });

  it('CIDRs, single IPs and host names can be allowed', () => {
    const p = outboundPolicyFrom('10.1.0.0/16, 192.168.7.7 ,signal.internal');
    expect(code(() => p.checkUrl('http://10.1.2.3/'))).toBeUndefined();
    expect(code(() => p.checkUrl('http://10.2.0.1/'))).toBe('OUTBOUND_FORBIDDEN');
    expect(code(() => p.checkUrl('http://192.168.7.7/'))).toBeUndefined();
    expect(code(() => p.checkUrl('http://SIGNAL.internal/'))).toBeUndefined();
  });

  it('checks every resolved address at connect time (DNS pointing at a private address is refused)', async () => {
    const resolveTo = (address: string) => (async () => [{ address, family: 4 }]) as never;
    await expect(strict.checkResolved('http://evil.example/', 'signalingUrl', resolveTo('127.0.0.1'))).rejects.toMatchObject({ code: 'OUTBOUND_FORBIDDEN' });
    await expect(strict.checkResolved('http://evil.example/', 'signalingUrl', resolveTo('::ffff:169.254.169.254'))).rejects.toMatchObject({ code: 'OUTBOUND_FORBIDDEN' });
    await expect(strict.checkResolved('http://ok.example/', 'signalingUrl', resolveTo('93.184.216.34'))).resolves.toBeInstanceOf(URL);
    const failing = (async () => {
      throw new Error('ENOTFOUND');
    }) as never;
    await expect(strict.checkResolved('http://nx.example/', 'x', failing)).rejects.toMatchObject({ code: 'OUTBOUND_UNRESOLVED', retryable: true });
  });

  it('classifies and unmaps addresses', () => {
    expect(unmapIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(classifyIp('::ffff:10.0.0.1')).toBe('private');
    expect(classifyIp('8.8.8.8')).toBe('public');
    expect(classifyIp('224.0.0.1')).toBe('reserved');
  });

  it('any allows everything except userinfo and odd schemes', () => {
    const p = outboundPolicyFrom('any');
    expect(code(() => p.checkUrl('http://169.254.169.254/'))).toBeUndefined();
    expect(code(() => p.checkUrl('ftp://x/'))).toBe('OUTBOUND_FORBIDDEN');
  });
});
