import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { RecbotError } from './errors';
import { createLogger } from './logger';
import { redactText } from '../security/redact';

const STATUS_BY_CODE: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_ID: 400,
  PAYLOAD_TOO_LARGE: 413,
  OUTBOUND_FORBIDDEN: 400,
  TOO_MANY_REQUESTS: 429,
};

/** The one place that maps errors to HTTP: RecbotError by code, Nest HttpException as is, others 500. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = createLogger({ component: 'http' });

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof RecbotError) {
      const status = STATUS_BY_CODE[exception.code] ?? (exception.retryable ? 503 : 500);
      if (status >= 500) this.log.error({ err: exception }, 'request failed');
      res.status(status).json({ error: { code: exception.code, message: redactText(exception.message), retryable: exception.retryable } });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res.status(status).json({ error: { code: `HTTP_${status}`, message: redactText(exception.message), retryable: false } });
      return;
    }
    // Body-parser errors (malformed JSON, body too large) carry an HTTP status and are safe to expose.
    const e = exception as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
      const code = e.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      res.status(e.status).json({ error: { code, message: redactText(String(e.message)), retryable: false } });
      return;
    }
    this.log.error({ err: exception }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error', retryable: true } });
  }
}
