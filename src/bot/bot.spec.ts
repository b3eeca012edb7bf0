import { callerIceConfig } from './bot';

describe('callerIceConfig (the CALLING config the bot hands its callee)', () => {
  const appTurn = { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'c' };
  const ownTurn = { urls: 'turns:127.0.0.1:5349', username: 'x', credential: 'y' };

  it('passes on the app servers learned from CALLING first, then ICE_SERVERS, without duplicates', () => {
    const c = callerIceConfig({ iceServers: [appTurn], iceTransportPolicy: 'all' }, { iceServers: [{ ...appTurn }, ownTurn], iceTransportPolicy: 'all' });
    expect(c).toEqual({ iceServers: [appTurn, ownTurn], iceTransportPolicy: 'all' });
  });

  it('is relay when either the app or ICE_TRANSPORT_POLICY says so', () => {
    expect(callerIceConfig({ iceServers: [appTurn], iceTransportPolicy: 'relay' }, { iceServers: [], iceTransportPolicy: 'all' }).iceTransportPolicy).toBe('relay');
    expect(callerIceConfig(undefined, { iceServers: [ownTurn], iceTransportPolicy: 'relay' })).toEqual({ iceServers: [ownTurn], iceTransportPolicy: 'relay' });
  });

  it('with nothing learned and nothing configured, hands out no servers (never a public default)', () => {
    expect(callerIceConfig(undefined, { iceServers: [], iceTransportPolicy: 'all' })).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });
});
