/**
 * The one error base class of recbot. Classify at the I/O wrapper: `retryable` decides whether a
 * BullMQ job retries (non-retryable errors become UnrecoverableError) and how HTTP maps it.
 */
export class RecbotError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  override readonly cause?: unknown;

  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'RecbotError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.cause = opts.cause;
  }
}

/** Configuration is invalid; `problems` lists one line per bad variable. */
export class ConfigError extends RecbotError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A system binary (ffmpeg, redis-server, ...) is missing. */
export class MissingBinaryError extends RecbotError {
  constructor(readonly binary: string) {
    super(
      'MISSING_BINARY',
      `'${binary}' was not found on PATH. Install the system dependencies with: bash scripts/install-system-deps.sh`,
    );
    this.name = 'MissingBinaryError';
  }
}

/** Narrow an unknown thrown value to an Error message without trusting its shape. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
