import type { CallIceConfig, IceServer } from '../signaling/signaling-adapter';

/**
 * The ICE config the bot hands a callee in CALLING (the callee builds its peer connection from it).
 * Only what the call's app gave us: the servers other callers sent in CALLING.config or the app's
 * own /api/webrtc-config. Never the operator's ICE_SERVERS: those carry the operator's TURN
 * credentials and any participant of any room could read them. The bot still uses ICE_SERVERS for
 * its own side (buildPeerConfig), which is enough to reach a callee through the operator's relay.
 */
export function callerIceConfig(learned: CallIceConfig | undefined): CallIceConfig {
  const seen = new Set<string>();
  const iceServers: IceServer[] = (learned?.iceServers ?? []).filter((s) => {
    const key = JSON.stringify([s.urls, s.username, s.credential]);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  return { iceServers, iceTransportPolicy: learned?.iceTransportPolicy === 'relay' ? 'relay' : 'all' };
}
