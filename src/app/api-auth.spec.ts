import { ConfigError } from '../common/errors';
import { AuthFailureLimiter, apiAuthMode, checkBearer, isLoopbackHost } from './api-auth';

describe('api auth', () => {
  it('Bearer scheme case-insensitive; wrong, missing and other schemes told apart', () => {
    expect(checkBearer('Bearer tok-123456', 'tok-123456')).toBe('ok');
    expect(checkBearer('bEaReR   tok-123456', 'tok-123456')).toBe('ok');
    expect(checkBearer('Bearer tok-1234567', 'tok-123456')).toBe('mismatch');
    expect(checkBearer('Bearer tok', 'tok-123456')).toBe('mismatch');
    expect(checkBearer('Basic dXNlcjpwYXNz', 'tok-123456')).toBe('scheme');
    expect(checkBearer(undefined, 'tok-123456')).toBe('missing');
  });

  it('needs a token off loopback unless API_AUTH=none', () => {
    const base = { API_AUTH: 'token' as const, APP_ROLE: 'all' };
    expect(apiAuthMode({ ...base, HTTP_HOST: '127.0.0.1' })).toBe('open');
    expect(apiAuthMode({ ...base, HTTP_HOST: '::1' })).toBe('open');
    expect(apiAuthMode({ ...base, HTTP_HOST: '0.0.0.0', API_TOKEN: 'x' })).toBe('token');
    expect(() => apiAuthMode({ ...base, HTTP_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => apiAuthMode({ ...base, HTTP_HOST: '10.0.0.3' })).toThrow(/API_AUTH=none/);
    expect(apiAuthMode({ ...base, HTTP_HOST: '0.0.0.0', API_AUTH: 'none' })).toBe('open');
    expect(apiAuthMode({ ...base, HTTP_HOST: '0.0.0.0', APP_ROLE: 'recorder' })).toBe('open'); // no /v1 there
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });

  it('limits failures per client per window, bounded in memory', () => {
    const l = new AuthFailureLimiter({ maxFailures: 2, windowMs: 10_000, maxClients: 3 });
    l.fail('a', 0);
    expect(l.blockedForS('a', 1)).toBe(0);
    l.fail('a', 1000);
    expect(l.blockedForS('a', 1000)).toBe(9);
    expect(l.blockedForS('b', 1000)).toBe(0);
    expect(l.blockedForS('a', 10_001)).toBe(0); // window over
    for (const c of ['b', 'c', 'd', 'e']) l.fail(c, 20_000);
    expect(l.blockedForS('e', 20_000)).toBe(0);
  });
});
