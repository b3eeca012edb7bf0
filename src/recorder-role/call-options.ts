import type { AppConfig } from '../config/config.schema';
import type { RecordingManifest } from '../manifest/manifest.types';

/** Per-recording options stored in manifest.options by the API, with config defaults. */
export interface CallOptions {
  roomIdPrefix: string;
  signalingPath: string;
  displayName: string;
  maxDurationMs: number;
  emptyRoomTimeoutMs: number;
  transcribe: boolean;
  /** Base URL of the app's HTTP server (webrtc-config); undefined: SIGNALING_APP_URL or the signaling origin. */
  appUrl: string | undefined;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);

/** Read the options of a recording (manifest data is untrusted: every field is checked). */
export function readCallOptions(m: RecordingManifest, c: AppConfig): CallOptions {
  const o = m.options ?? {};
  return {
    roomIdPrefix: str(o.roomIdPrefix, c.ROOM_ID_PREFIX),
    signalingPath: str(o.signalingPath, c.SIGNALING_PATH),
    displayName: str(o.displayName, c.BOT_DISPLAY_NAME),
    maxDurationMs: num(o.maxDurationMs, c.BOT_MAX_DURATION_MS),
    emptyRoomTimeoutMs: num(o.emptyRoomTimeoutMs, c.BOT_EMPTY_ROOM_TIMEOUT_MS),
    transcribe: o.transcribe !== false,
    appUrl: typeof o.appUrl === 'string' ? o.appUrl : c.SIGNALING_APP_URL,
  };
}

/** Closed segments that still have a local file and no verified upload. */
export function pendingUploads(m: RecordingManifest): number {
  return m.segments.filter((s) => s.localPath && !s.uploadedMs).length;
}
