import path from 'node:path';
import { ConfigError } from '../common/errors';
import { CONFIG_KEYS, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('gives working embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.APP_ROLE).toBe('all');
    expect(c.HTTP_PORT).toBe(8080);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.STORAGE_DRIVER).toBe('fs');
    expect(c.SEGMENT_SECONDS).toBe(10);
    expect(c.ICE_SERVERS).toEqual([]);
    expect(c.WEBHOOK_ENDPOINTS).toEqual([]);
  });

  it('parses typed values', () => {
    const c = loadConfig({
      APP_ROLE: 'worker',
      HTTP_PORT: '9000',
      S3_FORCE_PATH_STYLE: 'true',
      ICE_SERVERS: '[{"urls":"turn:127.0.0.1:3478","username":"u","credential":"p"}]',
    });
    expect(c.APP_ROLE).toBe('worker');
    expect(c.HTTP_PORT).toBe(9000);
    expect(c.S3_FORCE_PATH_STYLE).toBe(true);
    expect(c.ICE_SERVERS[0]?.username).toBe('u');
  });

  it('names every bad variable and why, hiding secrets', () => {
    let caught: unknown;
    try {
      loadConfig({ APP_ROLE: 'boss', HTTP_PORT: 'eighty', SEGMENT_SECONDS: '1', ICE_SERVERS: '{nope', REDIS_URL: 'x' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const key of ['APP_ROLE', 'HTTP_PORT', 'SEGMENT_SECONDS', 'ICE_SERVERS', 'REDIS_URL']) {
      expect(problems).toContain(key);
    }
    expect(problems).toContain('must be valid JSON');
    expect(problems).toContain('must be an integer');
  });

  it('ignores variables it does not know and knows every documented one', () => {
    expect(() => loadConfig({ SOMETHING_ELSE: 'x' })).not.toThrow();
    expect(CONFIG_KEYS).toEqual(expect.arrayContaining(['APP_ROLE', 'REDIS_URL', 'STORAGE_DRIVER', 'OPENAI_API_KEY']));
  });
});

describe('loadConfig paths', () => {
  it('resolves every path setting to an absolute path once, against the given cwd', () => {
    const c = loadConfig({ WORK_DIR: './var', STORAGE_FS_DIR: 'store', FFMPEG_BIN: './bin/ffmpeg', FFPROBE_BIN: 'ffprobe' }, '/srv/app');
    expect(c.WORK_DIR).toBe('/srv/app/var');
    expect(c.STORAGE_FS_DIR).toBe('/srv/app/store');
    expect(c.FFMPEG_BIN).toBe('/srv/app/bin/ffmpeg');
    expect(c.FFPROBE_BIN).toBe('ffprobe'); // a bare name stays a PATH lookup
  });

  it('defaults WORK_DIR to var/ of the installation, whatever the cwd', () => {
    const a = loadConfig({}, '/tmp');
    const b = loadConfig({}, '/');
    expect(a.WORK_DIR).toBe(b.WORK_DIR);
    expect(a.WORK_DIR).toBe(path.resolve(__dirname, '..', '..', 'var'));
  });
});

describe('loadConfig: secrets never in config errors', () => {
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (e) {
      return (e as ConfigError).problems.join('\n');
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    [{ WEBHOOK_ENDPOINTS: '[{"url":"not a url","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]' }, 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    [{ WEBHOOK_ENDPOINTS: '[{"url":"https://x.example","secret":"plain-webhook-secret","events":[1]}]' }, 'plain-webhook-secret'],
    [{ ICE_SERVERS: '[{"urls":5,"username":"turnuser","credential":"turnpassword1"}]' }, 'turnpassword1'],
    [{ ICE_SERVERS: '[{"urls":"turn:x","username":"turnuser","credential":"turnpassword2"' }, 'turnpassword2'],
    [{ OPENAI_BASE_URL: 'https//user:openai-pw-3@proxy.example/v1' }, 'openai-pw-3'],
    [{ REDIS_URL: 'http://user:redis-pw-4@redis.internal:6379' }, 'redis-pw-4'],
    [{ S3_ENDPOINT: 'nope://k:s3-pw-5@x y' }, 's3-pw-5'],
  ])('%j: the error names the variable, not the secret', (env, secret) => {
    const problems = problemsOf(env);
    expect(problems).toContain(Object.keys(env)[0]);
    expect(problems).not.toContain(secret);
  });

  it('REDIS_URL: redis:// and rediss:// only; rediss:// keeps TLS in the BullMQ connection', async () => {
    expect(problemsOf({ REDIS_URL: 'http://127.0.0.1:6379' })).toContain('REDIS_URL');
    expect(problemsOf({ REDIS_URL: 'unix:///tmp/redis.sock' })).toContain('REDIS_URL');
    expect(loadConfig({ REDIS_URL: 'rediss://redis.example:6380/2' }).REDIS_URL).toBe('rediss://redis.example:6380/2');
    const { redisConnection } = await import('../jobs/job.repository');
    expect(redisConnection('rediss://u:p@redis.example:6380/2')).toMatchObject({ host: 'redis.example', port: 6380, db: 2, tls: { servername: 'redis.example' }, password: 'p' });
    expect(redisConnection('redis://127.0.0.1:6379')).not.toHaveProperty('tls');
    expect(redisConnection('redis://[::1]:6379')).toMatchObject({ host: '::1' });
  });
});
