import { z } from 'zod';
import { envBool, envInt, envJson, envString, envUrl } from '../config/env-types';

const iceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
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
  /** As caller (after MAKE_CALL) wait this long for the callee's offer before offering ourselves. */
  BOT_CALLER_OFFER_WAIT_MS: envInt(3000, { min: 0 }),
};
