/**
 * Every error code recbot raises, with whether a job that hits it retries (the default of
 * RecbotError.retryable; a call site may still decide per case, e.g. a storage error classified at
 * the I/O wrapper) and, for errors a client caused, the HTTP status. Other codes answer 503 when
 * retryable, 500 otherwise.
 */
export const ERROR_CODES = {
  // HTTP API: the client's request
  BAD_REQUEST: { retryable: false, http: 400 },
  INVALID_ID: { retryable: false, http: 400 },
  OUTBOUND_FORBIDDEN: { retryable: false, http: 400 },
  UNAUTHORIZED: { retryable: false, http: 401 },
  NOT_FOUND: { retryable: false, http: 404 },
  CONFLICT: { retryable: false, http: 409 },
  PAYLOAD_TOO_LARGE: { retryable: false, http: 413 },
  TOO_MANY_REQUESTS: { retryable: true, http: 429 },
  // start-up, CLI
  BAD_ARGS: { retryable: false },
  CONFIG_INVALID: { retryable: false },
  MISSING_BINARY: { retryable: false },
  REDIS_START_FAILED: { retryable: true },
  REDIS_UNKNOWN: { retryable: false },
  // jobs
  JOB_HANDLER_DUPLICATE: { retryable: false },
  JOB_HANDLER_MISSING: { retryable: false },
  JOB_PAYLOAD_INVALID: { retryable: false },
  SHUTTING_DOWN: { retryable: true },
  // recorder role
  BAD_RECORDING: { retryable: false },
  CALL_FAILED: { retryable: true },
  CALL_PROCESS_CRASHED: { retryable: true },
  DISK_FULL: { retryable: true },
  DRAINING: { retryable: true },
  HANDOVER: { retryable: true },
  JOIN_FAILED: { retryable: false },
  NO_CALL_PROCESS_ENTRY: { retryable: false },
  NO_LOCAL_MANIFEST: { retryable: false },
  OUTBOUND_UNRESOLVED: { retryable: true },
  RECORDING_ENDED: { retryable: false },
  SESSION_CLOSED: { retryable: false },
  UNSUPPORTED_CODEC: { retryable: false },
  UPLOAD_STUCK: { retryable: true },
  UPLOAD_VERIFY_FAILED: { retryable: true },
  // manifest
  MANIFEST_INVALID: { retryable: false },
  MANIFEST_NOT_FOUND: { retryable: true },
  // post-call pipeline
  FFMPEG_FAILED: { retryable: true },
  NO_SEGMENTS: { retryable: false },
  NO_USABLE_SEGMENTS: { retryable: false },
  OUTPUT_INVALID: { retryable: true },
  OUTPUT_MISSING: { retryable: true },
  PROCESS_KILLED: { retryable: true },
  SEGMENT_NOT_UPLOADED: { retryable: true },
  // storage
  STORAGE_ACCESS_DENIED: { retryable: false },
  STORAGE_CLOSED: { retryable: false },
  STORAGE_FAILED: { retryable: false },
  STORAGE_INVALID_KEY: { retryable: false },
  STORAGE_INVALID_RANGE: { retryable: false },
  STORAGE_MD5_MISMATCH: { retryable: false },
  STORAGE_NOT_FOUND: { retryable: false },
  STORAGE_OBJECT_LOCKED: { retryable: false },
  STORAGE_UNAVAILABLE: { retryable: true },
  STORAGE_VERIFY_FAILED: { retryable: true },
  // transcription
  ASR_FAILED: { retryable: true },
  TRANSCRIBE_ABORTED: { retryable: false },
  TRANSCRIBE_BAD_INPUT: { retryable: false },
  TRANSCRIBE_BAD_RESPONSE: { retryable: false },
  TRANSCRIBE_CHUNK_TOO_LARGE: { retryable: false },
  TRANSCRIBE_ENCODE_FAILED: { retryable: true },
  TRANSCRIBE_REJECTED: { retryable: false },
  TRANSCRIBE_UNAVAILABLE: { retryable: true },
  TRANSCRIPT_PART_INVALID: { retryable: false },
  UNSUPPORTED_AUDIO: { retryable: false },
  // webhooks
  WEBHOOK_DELIVERY_FAILED: { retryable: false },
  WEBHOOK_VERIFICATION_FAILED: { retryable: false },
} as const satisfies Record<string, { retryable: boolean; http?: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** The HTTP status of an error with `code` (retryable: whether this instance may be retried). */
export function httpStatusOf(code: ErrorCode, retryable: boolean): number {
  const entry = ERROR_CODES[code];
  return 'http' in entry ? entry.http : retryable ? 503 : 500;
}
