import type { LoggerService } from '@nestjs/common';
import { createLogger } from '../common/logger';

/** Routes Nest's own log lines into the pino logger. */
export class PinoNestLogger implements LoggerService {
  private readonly pino = createLogger({ component: 'nest' });

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = params.length > 0 ? String(params[params.length - 1]) : undefined;
    this.pino[level]({ context }, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
}
