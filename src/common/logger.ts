import pino, { type Logger } from 'pino';
import { redactText } from '../security/redact';

export type { Logger } from 'pino';

let root: Logger | undefined;

/**
 * The process-wide JSON logger (pino). Pretty output when stdout is a terminal (or LOG_PRETTY=true).
 * Bind ids with `logger.child({ recordingId, participantId, jobId })`. Never log tokens or
 * transcript text at info level.
 */
export function initLogger(opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { pid: process.pid },
    redact: { paths: ['*.secret', '*.apiKey', '*.password', '*.credential', '*.token'], censor: '[redacted]' },
    // The one redaction rule on every line written (URL credentials, TURN/webhook secrets, tokens).
    hooks: { streamWrite: redactText },
    transport: pretty && !opts.destination ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  };
  root = opts.destination ? pino(options, opts.destination) : pino(options);
  return root;
}

/** A child of the root logger with `bindings` (e.g. { component: 'recorder', recordingId }). */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  if (!root) root = pino({ level: process.env.JEST_WORKER_ID ? 'silent' : 'info', hooks: { streamWrite: redactText } });
  return root.child(bindings);
}
