import { z } from 'zod';
import { isIP } from 'node:net';
import { envBool, envInt, envJson, envOptionalString, envString, envUrl } from '../config/env-types';

const iceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** `MIN-MAX` UDP ports for the bot's ICE sockets (firewall rules, hostNetwork pods). */
const portRange = envOptionalString().transform((v, ctx): [number, number] | undefined => {
  if (v === undefined) return undefined;
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(v.trim());
  const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(lo >= 1024 && hi <= 65535 && lo < hi)) {
    ctx.addIssue({ code: 'custom', message: 'must be MIN-MAX with 1024 <= MIN < MAX <= 65535, e.g. 40000-40999' });
    return undefined;
  }
  return [lo, hi];
});

/** Comma-separated IP addresses. */
const ipList = envOptionalString().transform((v, ctx): string[] => {
  const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ip of list) if (!isIP(ip)) ctx.addIssue({ code: 'custom', message: `'${ip.slice(0, 60)}' is not an IP address` });
  return list;
});

/** Bot (signaling + WebRTC) settings (owned by the bot feature). */
export const botConfigShape = {
  BOT_DISPLAY_NAME: envString('Recorder'),
  ROOM_ID_PREFIX: envString('video:'),
  SIGNALING_PATH: envString('/socket.io'),
  /** The app's ICE config endpoint on the signaling server's origin ('off': do not ask). */
  SIGNALING_WEBRTC_CONFIG_PATH: envString('/api/webrtc-config'),
  /** Base URL of the app's HTTP server for SIGNALING_WEBRTC_CONFIG_PATH; unset: the signaling URL's origin. */
  SIGNALING_APP_URL: envUrl(),
  /** The bot's own ICE servers, JSON array of {urls, username?, credential?}; never handed to other participants. */
  ICE_SERVERS: envJson(z.array(iceServerSchema), []),
  ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).optional().transform((v) => v ?? 'all'),
  BOT_EMPTY_ROOM_TIMEOUT_MS: envInt(60_000, { min: 1000 }),
  BOT_MAX_DURATION_MS: envInt(4 * 3600_000, { min: 1000 }),
  HEARTBEAT_INTERVAL_MS: envInt(2500, { min: 100 }),
  HEARTBEAT_TIMEOUT_MS: envInt(5000, { min: 200 }),
  STATS_INTERVAL_MS: envInt(5000, { min: 200 }),
  ICE_RESTART_AFTER_MS: envInt(9000, { min: 500 }),
  FULL_RESTART_AFTER_MS: envInt(18_000, { min: 1000 }),
  NETWORK_WAIT_MS: envInt(60_000, { min: 1000 }),
  RECONNECT_MAX_ATTEMPTS: envInt(40, { min: 0 }),
  /** Gather only 127.0.0.1 host candidates (local demos and tests; never in production). */
  ICE_LOOPBACK_ONLY: envBool(false),
  /** UDP port range of the bot's ICE host candidates (werift icePortRange); unset: any port. */
  ICE_UDP_PORT_RANGE: portRange,
  /** Extra local addresses to gather host candidates on (werift iceAdditionalHostAddresses): interfaces werift skips (veth*, tun*) on hostNetwork nodes. */
  ICE_HOST_ADDRESSES: ipList,
  /**
   * How long werift waits for the STUN server's answer while gathering (its default is 5 s). The
   * bot's SDP goes out only when gathering ends, so a blackholed STUN server (an app's public STUN
   * with UDP egress blocked) delayed every call by 5 s.
   */
  ICE_STUN_TIMEOUT_MS: envInt(1000, { min: 100, max: 10_000 }),
  /** As caller (after MAKE_CALL) wait this long for the callee's offer before offering ourselves. */
  BOT_CALLER_OFFER_WAIT_MS: envInt(1000, { min: 0 }),
};
