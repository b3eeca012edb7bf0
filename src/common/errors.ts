import { ERROR_CODES, type ErrorCode } from './error-codes';

export type { ErrorCode };

/**
 * The one error base class of recbot; its codes and their defaults are in error-codes.ts. Classify at the I/O wrapper: `retryable` decides whether a
 * BullMQ job retries (non-retryable errors become UnrecoverableError) and how HTTP maps it.
 */
export class RecbotError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'RecbotError';
    this.code = code;
    this.retryable = opts.retryable ?? ERROR_CODES[code].retryable;
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

/** System binaries or data files (ffmpeg, redis-server, pocketsphinx, ...) are missing. */
export class MissingBinaryError extends RecbotError {
  readonly binaries: string[];

  constructor(missingOrName: string | { name: string; debianPackage: string; why: string }[]) {
    const missing = typeof missingOrName === 'string' ? [{ name: missingOrName, debianPackage: '', why: '' }] : missingOrName;
    const what = missing.map((m) => `'${m.name}'${m.why ? ` (${m.why})` : ''}`).join(', ');
    const pkgs = [...new Set(missing.map((m) => m.debianPackage).filter(Boolean))];
    const how = pkgs.length > 0 && pkgs.length === new Set(missing.map((m) => m.debianPackage)).size
      ? `apt-get install -y ${pkgs.join(' ')} (or: bash scripts/install-system-deps.sh)`
      : 'bash scripts/install-system-deps.sh';
    super('MISSING_BINARY', `missing on this machine: ${what}. Install with: ${how}`);
    this.name = 'MissingBinaryError';
    this.binaries = missing.map((m) => m.name);
  }
}

/** Narrow an unknown thrown value to an Error message without trusting its shape. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
