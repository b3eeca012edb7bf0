import { z } from 'zod';
import { envInt, envJson } from '../config/env-types';

const endpointSchema = z.object({
  url: z.url(),
  secret: z.string().min(8),
  events: z.array(z.string()).optional(),
});

/** Webhook settings (owned by the webhooks feature). */
export const webhookConfigShape = {
  /** JSON array of {url, secret, events?}; secret is a Standard Webhooks secret (whsec_ + base64, or any string). */
  WEBHOOK_ENDPOINTS: envJson(z.array(endpointSchema), []),
  WEBHOOK_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  WEBHOOK_RETRY_HOURS: envInt(24, { min: 1 }),
};
