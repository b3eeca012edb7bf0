import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { httpStatusOf } from './error-codes';
import { RecbotError } from './errors';
import { createLogger } from './logger';
import { redactText } from '../security/redact';

const log = createLogger({ component: 'http' });

/**
 * The one mapping of errors to HTTP responses: RecbotError by code, Nest HttpException as is,
 * body-parser errors by their status, others 500. Used by the Nest filter and by the middleware
 * that runs before Nest (authentication). Messages pass the redaction rule.
 */
export function sendHttpError(res: Response, exception: unknown): void {
  if (exception instanceof RecbotError) {
    const status = httpStatusOf(exception.code, exception.retryable);
    if (status >= 500) log.error({ err: exception }, 'request failed');
    const retryAfterS = (exception as { retryAfterS?: unknown }).retryAfterS;
    if (typeof retryAfterS === 'number') res.setHeader('Retry-After', String(retryAfterS));
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    const existingId = (exception as { existingId?: unknown }).existingId;
    res.status(status).json({
      error: { code: exception.code, message: redactText(exception.message), retryable: exception.retryable, ...(typeof existingId === 'string' ? { existingId } : {}) },
    });
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
  log.error({ err: exception }, 'unhandled error');
  res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error', retryable: true } });
}

/** The Nest side of {@link sendHttpError}. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendHttpError(host.switchToHttp().getResponse<Response>(), exception);
  }
}
