import { chromiumArgs, participantPageUrl } from './browser-participant';

describe('browser participant launch parameters', () => {
  it('builds the page URL with every parameter in the query', () => {
    const url = new URL(
      participantPageUrl({
        serverUrl: 'http://127.0.0.1:4000', roomId: 'video:1-2', participantId: 'p1', name: 'Ann', role: 'host', codec: 'AV1',
        iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], icePolicy: 'relay',
        timing: { statsMs: 1000 }, video: { width: 320, height: 240, fps: 15 },
      }),
    );
    expect(url.pathname).toBe('/testworld/index.html');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      roomId: 'video:1-2', participantId: 'p1', name: 'Ann', role: 'host', codec: 'AV1', icePolicy: 'relay',
      iceServers: JSON.stringify([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]),
      timing: '{"statsMs":1000}', width: '320', height: '240', fps: '15',
    });
  });

  it('uses fake devices, file inputs when given, and never hides local IPs behind mDNS', () => {
    const plain = chromiumArgs({});
    expect(plain).toEqual(expect.arrayContaining(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks', '--autoplay-policy=no-user-gesture-required']));
    expect(plain.some((a) => a.startsWith('--use-file-for-fake'))).toBe(false);
    expect(plain).not.toContain('--ignore-certificate-errors');
    const files = chromiumArgs({ wav: '/t/a.wav', y4m: '/t/v.y4m', ignoreCertificateErrors: true });
    expect(files).toEqual(expect.arrayContaining(['--use-file-for-fake-audio-capture=/t/a.wav',
      '--use-file-for-fake-video-capture=/t/v.y4m', '--ignore-certificate-errors']));
  });
});
