import { PassThrough } from 'node:stream';
import { runSignalServer } from './signal.command';

describe('runSignalServer', () => {
  it('prints its URL, serves /api/webrtc-config from --webrtc-config and stops on abort', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (b: Buffer) => (printed += b.toString()));
    const ac = new AbortController();
    const cfg = { turn: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }], icePolicy: 'relay' };
    const done = runSignalServer(['--port', '0', '--webrtc-config', JSON.stringify(cfg)], { signal: ac.signal, out });
    for (let i = 0; i < 50 && !printed.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const body = (await (await fetch(`${url}/api/webrtc-config`)).json()) as unknown;
    expect(body).toEqual({ stun: [], ...cfg });
    ac.abort();
    await done;
    await expect(fetch(`${url}/api/webrtc-config`)).rejects.toThrow();
  });

  it('rejects an invalid port', async () => {
    await expect(runSignalServer(['--port', 'abc'])).rejects.toThrow(/invalid --port/);
  });
});
