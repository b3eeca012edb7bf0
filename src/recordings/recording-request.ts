import { z } from 'zod';
import { RecbotError } from '../common/errors';

/** Body of POST /v1/recordings. Inbound: unknown until validated here. */
export const createRecordingSchema = z
  .object({
    /** Base URL of the app's Socket.IO signaling server (http(s) or ws(s)). */
    signalingUrl: z
      .string()
      .max(2048)
      .url()
      .refine((u) => /^(https?|wss?):\/\//i.test(u), 'must be an http(s) or ws(s) URL'),
    /** Base URL of the app's HTTP server serving its webrtc-config (default SIGNALING_APP_URL, else the signaling origin). */
    appUrl: z.string().max(2048).url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL').optional(),
    /** Start even when a recording of the same room on the same signaling origin is active. */
    allowDuplicate: z.boolean().optional(),
    /** The app's room code, without the prefix (ROOM_ID_PREFIX is added, e.g. 'video:'). */
    roomId: z
      .string()
      .min(1)
      .max(256)
      .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'must not contain control characters'),
    /** Override the room prefix for this call ('' for none). */
    roomIdPrefix: z.string().max(64).optional(),
    signalingPath: z.string().max(256).startsWith('/').optional(),
    displayName: z.string().min(1).max(100).optional(),
    maxDurationS: z.number().int().min(5).max(24 * 3600).optional(),
    emptyRoomTimeoutS: z.number().int().min(1).max(3600).optional(),
    transcribe: z.boolean().optional(),
    language: z.string().min(2).max(16).optional(),
    retentionDays: z.number().int().min(1).max(36500).optional(),
    /** Free-form metadata echoed in webhooks (bounded). */
    metadata: z.record(z.string().max(64), z.string().max(1024)).optional(),
  })
  .strict();

export type CreateRecordingRequest = z.output<typeof createRecordingSchema>;

/** Validate a request body; throws a non-retryable RecbotError listing every problem. */
export function parseCreateRecording(body: unknown): CreateRecordingRequest {
  const r = createRecordingSchema.safeParse(body);
  if (r.success) {
    if (r.data.metadata && Object.keys(r.data.metadata).length > 32) {
      throw new RecbotError('BAD_REQUEST', 'metadata: at most 32 keys');
    }
    return r.data;
  }
  const msg = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  throw new RecbotError('BAD_REQUEST', msg);
}
