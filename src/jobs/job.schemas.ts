import { z } from 'zod';
import { RecbotError } from '../common/errors';
import { JobName, WEBHOOK_EVENTS, type JobPayloadMap } from './job.types';

const id = z.string().min(1).max(256);

/** Runtime schemas of every payload: job data read back from Redis is validated before dispatch. */
export const JOB_PAYLOAD_SCHEMAS: { [N in JobName]: z.ZodType<JobPayloadMap[N]> } = {
  [JobName.JoinCall]: z.object({ recordingId: id, part: z.number().int().min(0) }),
  [JobName.MuxSpeaker]: z.object({ recordingId: id, participantId: id }),
  [JobName.MixAudio]: z.object({ recordingId: id }),
  [JobName.TranscribeSpeaker]: z.object({ recordingId: id, participantId: id, mediaKey: z.string().min(1).max(1024) }),
  [JobName.MergeTranscript]: z.object({ recordingId: id }),
  [JobName.Publish]: z.object({ recordingId: id }),
  [JobName.Webhook]: z.object({
    recordingId: id,
    event: z.enum(WEBHOOK_EVENTS),
    key: z.string().min(1).max(1024).optional(),
    snapshot: z.object({ data: z.record(z.string(), z.unknown()), occurredMs: z.number() }).optional(),
    frozen: z.object({ data: z.record(z.string(), z.unknown()), occurredMs: z.number() }).optional(),
  }),
};

/** Validate `data` as the payload of job `name`; a bad payload is a non-retryable RecbotError. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayloadMap[N] {
  const r = JOB_PAYLOAD_SCHEMAS[name].safeParse(data);
  if (!r.success) {
    throw new RecbotError('JOB_PAYLOAD_INVALID', `${name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}
