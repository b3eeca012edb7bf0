import type { PeerConfig } from 'werift';
import type { AppConfig } from '../config/config.schema';
import type { IceServer } from '../signaling/signaling-adapter';
import type { PresenceSettings } from './call-presence';
import type { LadderSettings } from './recovery-ladder';
import { loopbackOnlyPeerConfig } from './peer-config';

/** What a Bot needs from the configuration (see bot.config.ts for units and defaults). */
export interface BotSettings extends LadderSettings {
  iceServers: IceServer[];
  iceTransportPolicy: 'all' | 'relay';
  emptyRoomTimeoutMs: number;
  maxDurationMs: number;
  heartbeatTimeoutMs: number;
  callerOfferWaitMs: number;
  /** werift's wait for the STUN server while gathering (ICE_STUN_TIMEOUT_MS); werift default 5 s. */
  stunTimeoutMs?: number;
  /** Who is in the call and when the bot calls them itself (default DEFAULT_PRESENCE_SETTINGS). */
  presence?: PresenceSettings;
  /** werift overrides (tests: loopback-only candidates). */
  peerConfigOverrides?: Partial<PeerConfig>;
}

/** Bot settings from the validated app config. */
export function botSettingsFromConfig(c: AppConfig): BotSettings {
  return {
    iceServers: c.ICE_SERVERS,
    iceTransportPolicy: c.ICE_TRANSPORT_POLICY,
    emptyRoomTimeoutMs: c.BOT_EMPTY_ROOM_TIMEOUT_MS,
    maxDurationMs: c.BOT_MAX_DURATION_MS,
    heartbeatTimeoutMs: c.HEARTBEAT_TIMEOUT_MS,
    statsIntervalMs: c.STATS_INTERVAL_MS,
    iceRestartAfterMs: c.ICE_RESTART_AFTER_MS,
    fullRestartAfterMs: c.FULL_RESTART_AFTER_MS,
    networkWaitMs: c.NETWORK_WAIT_MS,
    callerOfferWaitMs: c.BOT_CALLER_OFFER_WAIT_MS,
    stunTimeoutMs: c.ICE_STUN_TIMEOUT_MS,
    ...networkOverrides(c),
  };
}

/** werift ICE options from the network settings: port range, extra host addresses, loopback-only (tests). */
export function networkOverrides(c: Pick<AppConfig, 'ICE_UDP_PORT_RANGE' | 'ICE_HOST_ADDRESSES' | 'ICE_LOOPBACK_ONLY'>): { peerConfigOverrides?: Partial<PeerConfig> } {
  const o: Partial<PeerConfig> = c.ICE_LOOPBACK_ONLY ? loopbackOnlyPeerConfig() : {};
  if (c.ICE_UDP_PORT_RANGE) o.icePortRange = c.ICE_UDP_PORT_RANGE;
  if (c.ICE_HOST_ADDRESSES.length > 0) o.iceAdditionalHostAddresses = [...new Set([...(o.iceAdditionalHostAddresses ?? []), ...c.ICE_HOST_ADDRESSES])];
  return Object.keys(o).length > 0 ? { peerConfigOverrides: o } : {};
}

/** Defaults equal to bot.config.ts defaults (tests override fields). */
export const DEFAULT_BOT_SETTINGS: BotSettings = {
  iceServers: [],
  iceTransportPolicy: 'all',
  emptyRoomTimeoutMs: 60_000,
  maxDurationMs: 4 * 3600_000,
  heartbeatTimeoutMs: 5000,
  statsIntervalMs: 5000,
  iceRestartAfterMs: 9000,
  fullRestartAfterMs: 18_000,
  networkWaitMs: 60_000,
  callerOfferWaitMs: 1000,
  stunTimeoutMs: 1000,
};
