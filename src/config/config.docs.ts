import { PIPELINE_CONFIG_DOCS } from '../pipeline/pipeline.config';
import { CONFIG_KEYS, loadConfig } from './config.schema';

/** One line of documentation per environment variable (README's configuration table is generated from it). */
export const CONFIG_DOCS: Record<string, string> = {
  APP_ROLE: 'Which modules run: `api`, `recorder`, `worker`, or `all` (single process)',
  HTTP_HOST: 'HTTP listen address (`0.0.0.0` in the container image)',
  HTTP_PORT: 'HTTP port for the API, /livez, /readyz (and /healthz, the same as /readyz) and /metrics (0 = any free port)',
  LOG_LEVEL: 'pino level: fatal, error, warn, info, debug, trace, silent',
  LOG_PRETTY: 'Pretty logs instead of JSON; default: pretty when stdout is a terminal',
  WORK_DIR: 'Local state: spool (segments, journals, manifests), embedded Redis data, fs storage, scratch. A relative value is resolved against the working directory once, at start-up',
  REDIS_URL: 'Redis for BullMQ (`redis://host:port/db`); unset: recbot starts and supervises its own redis-server',
  REDIS_SERVER_BIN: 'redis-server binary for the embedded Redis',
  FFMPEG_BIN: 'ffmpeg binary',
  FFPROBE_BIN: 'ffprobe binary',
  SHUTDOWN_GRACE_MS: 'On SIGTERM, how long running calls may continue before the bot leaves',
  API_TOKEN: 'If set, `/v1/*` requires `Authorization: Bearer <API_TOKEN>`',
  METRICS_ENABLED: 'Collect default process metrics on /metrics',
  STORAGE_DRIVER: '`fs` (local directory) or `s3` (AWS S3 or any S3-compatible server)',
  STORAGE_FS_DIR: 'Root of the fs driver; default `$WORK_DIR/storage`',
  S3_BUCKET: 'Bucket for recordings (s3 driver; required with it)',
  S3_REGION: 'S3 region',
  S3_ENDPOINT: 'Endpoint URL for S3-compatible servers (Ceph RGW, MinIO, R2)',
  S3_FORCE_PATH_STYLE: 'Path-style addressing (most S3-compatible servers need it)',
  S3_ACCESS_KEY_ID: 'S3 access key; unset: the AWS SDK default credential chain',
  S3_SECRET_ACCESS_KEY: 'S3 secret key',
  S3_CHECKSUM_MODE: '`WHEN_SUPPORTED` (AWS default) or `WHEN_REQUIRED` for servers that reject the SDK\'s CRC checksums',
  S3_SSE: 'Server-side encryption: `none`, `AES256`, `aws:kms`',
  S3_SSE_KMS_KEY_ID: 'KMS key id with `S3_SSE=aws:kms`',
  RETENTION_DAYS: 'Objects expire this many days after creation (lifecycle rule; per recording via `retentionDays`)',
  STAGING_EXPIRE_DAYS: 'Staging segments expire this many days after their recording is published',
  COLD_TRANSITION_DAYS: 'Move outputs to `COLD_STORAGE_CLASS` after this many days (0 = never)',
  COLD_STORAGE_CLASS: 'Storage class for the cold transition',
  OBJECT_LOCK_MODE: 'S3 Object Lock for outputs: `none`, `GOVERNANCE`, `COMPLIANCE` (bucket must have Object Lock enabled)',
  OBJECT_LOCK_DAYS: 'Object Lock retain-until, days after upload',
  APPLY_LIFECYCLE_ON_START: 'Apply the bucket lifecycle rules at start-up (idempotent)',
  UPLOAD_CONCURRENCY: 'Parallel segment uploads per recorder',
  UPLOAD_TIMEOUT_MS: 'Timeout of one upload attempt',
  SEGMENT_SECONDS: 'Length of a rolling segment',
  RECORDER_MAX_CALLS: 'Calls one recorder takes at once (BullMQ concurrency of the `bots` queue)',
  JITTER_BUFFER_MS: 'How long the jitter buffer waits for a missing packet (NACK retransmission) before declaring it lost',
  JOURNAL_FSYNC_MS: 'Journal flush+fsync interval: bounds what a SIGKILL can lose',
  DISK_MIN_FREE_MB: 'Below this free space in WORK_DIR the recorder takes no new calls and raises recbot_disk_low',
  TRACK_STALL_MS: 'No RTP on a track for this long is an `outage` gap (the segment closes; a new one starts on resume)',
  DISK_CHECK_INTERVAL_MS: 'How often free space of the spool is checked',
  RECORDER_PROCESS_MODEL: '`child`: one process per call (a crash costs only that call, restarted from its journals); `inline`: calls run in the recorder process; `auto`: child when running the compiled build',
  UPLOAD_QUEUE_MAX: 'Closed segments waiting for upload before overflow (they then stay on disk, counted)',
  BOT_DISPLAY_NAME: 'Name the bot announces in the room',
  ROOM_ID_PREFIX: 'Prefix added to room codes in the handshake (`video:123-456`)',
  SIGNALING_PATH: 'Socket.IO path on the app\'s signaling server',
  SIGNALING_WEBRTC_CONFIG_PATH: 'Path of the app\'s ICE config (`{stun, turn, icePolicy}`) on the signaling server, fetched once per call so the bot calls with the app\'s STUN/TURN even before anyone called it; `off` to skip',
  ICE_SERVERS: 'Extra ICE servers, JSON `[{urls, username?, credential?}]`, merged before the call\'s own config (STUN/TURN over UDP/TCP/TLS); the bot\'s WebRTC stack uses the first STUN and the first TURN URL of the merged list',
  ICE_TRANSPORT_POLICY: '`all` or `relay` (TURN only)',
  BOT_EMPTY_ROOM_TIMEOUT_MS: 'Leave when no other participant has been in the room this long',
  BOT_MAX_DURATION_MS: 'Leave after this long in any case',
  HEARTBEAT_INTERVAL_MS: 'SOCKET_PING interval per peer',
  HEARTBEAT_TIMEOUT_MS: 'A peer is missing after this long without SOCKET_PONG',
  STATS_INTERVAL_MS: 'Frozen-media check interval (RTP byte counters)',
  ICE_RESTART_AFTER_MS: 'Recovery ladder: ICE restart (as caller) after a confirmed problem lasting this long',
  FULL_RESTART_AFTER_MS: 'Recovery ladder: full restart (caller) or RESTART_CALL (callee)',
  NETWORK_WAIT_MS: 'Recovery ladder: wait this long for the network/socket, then end that peer\'s call',
  RECONNECT_MAX_ATTEMPTS: 'Signaling reconnect attempts (exponential backoff with jitter, at most 3 s apart: 40 is about 2 min) before the bot gives up',
  OPENAI_API_KEY: 'OpenAI (or compatible) API key; unset: the embedded offline endpoint (pocketsphinx) is used',
  OPENAI_BASE_URL: 'Transcription API base URL (Azure OpenAI, a self-hosted Whisper server)',
  TRANSCRIBE_MODEL: 'Transcription model',
  TRANSCRIBE_LANGUAGE: 'ISO-639-1 language hint; unset: detect',
  TRANSCRIBE_CONCURRENCY: 'Chunks transcribed in parallel per worker',
  TRANSCRIBE_CHUNK_MAX_BYTES: 'Largest audio chunk sent in one request (API limit 25 MiB)',
  OFFLINE_ASR_PORT: 'Port of the embedded offline transcription endpoint (0 = any free port)',
  WEBHOOK_ENDPOINTS: 'JSON `[{url, secret, events?}]`; Standard Webhooks signatures with each endpoint\'s secret',
  WEBHOOK_TIMEOUT_MS: 'Timeout of one webhook delivery attempt',
  WEBHOOK_RETRY_HOURS: 'Keep retrying a failed delivery (exponential backoff capped at 1 h) for this long',
  ICE_LOOPBACK_ONLY: 'Gather only 127.0.0.1 host candidates (the local demo and tests; never in production)',
  BOT_CALLER_OFFER_WAIT_MS: 'As caller, wait this long for the callee\'s offer before offering ourselves',
  AZURE_OPENAI_ENDPOINT: 'Azure OpenAI resource endpoint (with OPENAI_API_KEY); TRANSCRIBE_MODEL is then the deployment name',
  AZURE_OPENAI_API_VERSION: 'Azure OpenAI API version',
  TRANSCRIBE_CHUNK_MAX_SECONDS: 'Longest audio chunk sent in one request (chunks are cut at silences)',
  TRANSCRIBE_SKIP_SILENCE_SECONDS: 'Silences at least this long are not sent to the API',
  TRANSCRIBE_REQUEST_TIMEOUT_MS: 'Timeout of one transcription request',
  TRANSCRIBE_MAX_ATTEMPTS: 'Tries per chunk (429/5xx/network, honouring Retry-After) before the job fails retryably',
  OFFLINE_ASR_CONCURRENCY: 'Recognitions the embedded offline endpoint runs at once',
  JOB_LOCK_DURATION_MS: 'BullMQ job lock; a recorder that dies loses its JoinCall lock after this long and another recorder takes the call over',
  JOB_STALLED_INTERVAL_MS: 'How often BullMQ looks for stalled jobs (dead recorders/workers)',
  ...PIPELINE_CONFIG_DOCS,
};

function shownDefault(key: string, value: unknown): string {
  if (value === undefined) return '';
  if (key === 'WORK_DIR') return '`var/` of the recbot installation';
  if (typeof value !== 'object') return `\`${String(value)}\``;
  return `\`${JSON.stringify(value)}\``;
}

/** The README configuration table, generated from the schema's defaults and CONFIG_DOCS. */
export function configTableMarkdown(): string {
  const defaults = loadConfig({}) as unknown as Record<string, unknown>;
  const rows = CONFIG_KEYS.map((k) => `| \`${k}\` | ${shownDefault(k, defaults[k])} | ${CONFIG_DOCS[k] ?? ''} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
