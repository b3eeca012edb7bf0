import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

let root: Logger | undefined;

/**
 * The process-wide JSON logger (pino). Pretty output when stdout is a terminal (or LOG_PRETTY=true).
 * Bind ids with `logger.child({ recordingId, participantId, jobId })`. Never log tokens or
 * transcript text at info level.
 */
export function initLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  root = pino({
    level: opts.level ?? 'info',
    base: { pid: process.pid },
    redact: { paths: ['*.secret', '*.apiKey', '*.password', '*.credential', '*.token'], censor: '[redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  });
  return root;
}

/** A child of the root logger with `bindings` (e.g. { component: 'recorder', recordingId }). */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  if (!root) root = pino({ level: process.env.JEST_WORKER_ID ? 'silent' : 'info' });
  return root.child(bindings);
}
