import { MissingBinaryError } from '../common/errors';
import { redisServerArgs, resolveBinary } from './redis-process';

describe('redis-process', () => {
  it('builds args without persistence for tests and with AOF for the embedded service', () => {
    const none = redisServerArgs({ port: 6390, dataDir: '/d', persistence: 'none' });
    expect(none.join(' ')).toContain('--port 6390 --bind 127.0.0.1 --save  --dir /d');
    expect(none).toEqual(expect.arrayContaining(['--appendonly', 'no']));
    const aof = redisServerArgs({ port: 1, dataDir: '/d', persistence: 'aof' });
    expect(aof).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'everysec']));
  });

  it('throws MissingBinaryError naming the installer for a missing binary', () => {
    expect(() => resolveBinary('recbot-no-such-binary', '/usr/bin:/bin')).toThrow(MissingBinaryError);
    expect(() => resolveBinary('recbot-no-such-binary', '/usr/bin')).toThrow(/install-system-deps\.sh/);
    expect(resolveBinary('sh', '/nonexistent:/bin')).toBe('/bin/sh');
  });
});
