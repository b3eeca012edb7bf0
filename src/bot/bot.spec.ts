import { callerIceConfig } from './bot';

describe('callerIceConfig (the CALLING config the bot hands its callee)', () => {
  const appTurn = { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'c' };

  it('passes on only the app servers learned from CALLING or the app endpoint, without duplicates', () => {
    const c = callerIceConfig({ iceServers: [appTurn, { ...appTurn }], iceTransportPolicy: 'all' });
    expect(c).toEqual({ iceServers: [appTurn], iceTransportPolicy: 'all' });
  });

  it('is relay only when the app says so (the operator policy applies to the bot\'s own side)', () => {
    expect(callerIceConfig({ iceServers: [appTurn], iceTransportPolicy: 'relay' }).iceTransportPolicy).toBe('relay');
    expect(callerIceConfig({ iceServers: [appTurn] }).iceTransportPolicy).toBe('all');
  });

  it('with nothing learned, hands out no servers (never ICE_SERVERS, never a public default)', () => {
    expect(callerIceConfig(undefined)).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });
});
