import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { RecbotError } from '../common/errors';

/** With API_TOKEN set, the request must carry `Authorization: Bearer <token>` (constant-time compare). */
export function assertApiToken(token: string | undefined, req: Request): void {
  if (!token) return;
  const given = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new RecbotError('UNAUTHORIZED', 'missing or wrong bearer token');
  }
}
