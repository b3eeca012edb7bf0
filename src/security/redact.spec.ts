import { clearRegisteredSecrets, redactDeep, redactText, registerSecret } from './redact';

describe('redactText (one rule for config errors, logs, manifest views, API responses)', () => {
  afterEach(() => clearRegisteredSecrets());

  it.each([
    ['http://alice:hunter2pass@signal.example/socket.io', 'hunter2pass'],
    ['wss://tok3nvalue@signal.example', 'tok3nvalue'],
    ['http://signal.example/?room=1&token=abc123secret', 'abc123secret'],
    ['https://x.example/hook?api_key=kkk999kkk&x=1', 'kkk999kkk'],
    ['[{"urls":"turn:t.example","username":"turnuser","credential":"turnpass77"}]', 'turnpass77'],
    ['[{"urls":"turn:t.example","username":"turnuser","credential":"turnpass77"}]', 'turnuser'],
    ['[{"url":"https://h.example","secret":"plainsecret42"}]', 'plainsecret42'],
    ['{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw in text', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
    ['OPENAI_BASE_URL="https://user:openaipw1@proxy.example/v1"', 'openaipw1'],
    ['"{\\"password\\":\\"nested-pw-1\\"}"', 'nested-pw-1'],
    ['OPENAI_BASE_URL="https//user:mangledpw@proxy.example"', 'mangledpw'],
    ['redis user:redispw99@redis.internal:6379', 'redispw99'],
  ])('masks the secret in %s', (text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('keeps text without secrets unchanged', () => {
    for (const t of ['http://signal.example:3000/socket.io?room=1', 'recording 6f1c created', '{"urls":"stun:s.example:3478"}']) expect(redactText(t)).toBe(t);
  });

  it('masks registered values anywhere and walks objects', () => {
    registerSecret('opaque-token-value-1');
    expect(redactText('token opaque-token-value-1 used')).toBe('token [redacted] used');
    expect(redactDeep({ a: ['x opaque-token-value-1'], b: { url: 'http://u:p@h/' }, n: 1 })).toEqual({ a: ['x [redacted]'], b: { url: 'http://[redacted]@h/' }, n: 1 });
  });
});

describe('every log line goes through the rule', () => {
  it('masks URL credentials, TURN and webhook secrets and registered tokens in messages, fields and errors', async () => {
    const { initLogger, createLogger } = await import('../common/logger');
    const lines: string[] = [];
    initLogger({ level: 'info', pretty: false, destination: { write: (s: string) => void lines.push(s) } });
    registerSecret('api-token-abcdef-123');
    const log = createLogger({ component: 'test' });
    log.info({ signalingUrl: 'http://u:signalpw1@h.example/?token=qtok1' }, 'joining http://u:signalpw1@h.example');
    log.warn({ err: new Error('TURN {"credential":"turnpw2"} whsec_c2VjcmV0c2VjcmV0') }, 'failed with api-token-abcdef-123');
    log.info({ nested: { ice: [{ urls: 'turn:x', credential: 'turnpw3' }] } }, 'ice');
    const all = lines.join('');
    expect(lines).toHaveLength(3);
    for (const s of ['signalpw1', 'qtok1', 'turnpw2', 'c2VjcmV0c2VjcmV0', 'api-token-abcdef-123', 'turnpw3']) expect(all).not.toContain(s);
    expect(all).toContain('joining'); // the rest of the line is kept
    clearRegisteredSecrets();
  });
});
