/**
 * The typed job catalogue (after immich's server/src/types.ts): one enum of queues, one of job
 * names, and a union giving every job its payload type. Payloads carry ids and object keys only,
 * never buffers, secrets or local paths another pod cannot see.
 */

/** BullMQ queue names. */
export enum QueueName {
  Bots = 'bots',
  Media = 'media',
  Transcripts = 'transcripts',
  Publish = 'publish',
  Webhooks = 'webhooks',
}

/** Every job recbot runs. */
export enum JobName {
  /** A recorder with free capacity joins the call (bot helper's handler). */
  JoinCall = 'JoinCall',
  /** Place one speaker's segments on the session clock: speakers/{pid}.webm (or .mkv). */
  MuxSpeaker = 'MuxSpeaker',
  /** All speakers' audio mixed on the session clock: mix.webm. */
  MixAudio = 'MixAudio',
  /** Transcribe one speaker's muxed audio (transcription helper's handler). */
  TranscribeSpeaker = 'TranscribeSpeaker',
  /** Merge per-speaker transcripts by time (transcription helper's handler). */
  MergeTranscript = 'MergeTranscript',
  /** Record outputs + status in the manifest, upload manifest.json, tag for retention. */
  Publish = 'Publish',
  /** Deliver one webhook event (webhooks helper's handler). */
  Webhook = 'Webhook',
}

export interface JoinCallPayload {
  recordingId: string;
  /** Bot part (1 for the first join, +1 for each rejoin after a failover). */
  part: number;
}

export interface MuxSpeakerPayload {
  recordingId: string;
  participantId: string;
}

export interface MixAudioPayload {
  recordingId: string;
}

export interface TranscribeSpeakerPayload {
  recordingId: string;
  participantId: string;
  /** Object key of the speaker's muxed file (audio is on the session clock). */
  mediaKey: string;
}

export interface MergeTranscriptPayload {
  recordingId: string;
}

export interface PublishPayload {
  recordingId: string;
}

/** Every event recbot sends (webhooks/webhook-events.ts says which are opt-in). */
export const WEBHOOK_EVENTS = [
  'recording.started',
  'recording.segment_stored',
  'recording.completed',
  'recording.failed',
  'transcript.completed',
  'recording.deleted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookPayload {
  recordingId: string;
  event: WebhookEvent;
  /** Distinguishes repeated events of one recording (recording.segment_stored: the segment's object key). */
  key?: string;
  /**
   * The event's data, fixed when it was queued: for events whose manifest is gone by delivery time
   * (recording.deleted). Ids, status and keys only, never secrets.
   */
  snapshot?: { data: Record<string, unknown>; occurredMs: number };
  /** The event's data and time as the first attempt fixed them (every retry sends the same body). */
  frozen?: { data: Record<string, unknown>; occurredMs: number };
}

/** Job name -> payload type. */
export interface JobPayloadMap {
  [JobName.JoinCall]: JoinCallPayload;
  [JobName.MuxSpeaker]: MuxSpeakerPayload;
  [JobName.MixAudio]: MixAudioPayload;
  [JobName.TranscribeSpeaker]: TranscribeSpeakerPayload;
  [JobName.MergeTranscript]: MergeTranscriptPayload;
  [JobName.Publish]: PublishPayload;
  [JobName.Webhook]: WebhookPayload;
}

/** The payload type of job `N`. */
export type JobPayload<N extends JobName> = JobPayloadMap[N];

/** A job: its name with its matching payload (discriminated union over JobName). */
export type JobItem = { [N in JobName]: { name: N; data: JobPayloadMap[N] } }[JobName];

/** Which queue each job runs on. */
export const JOB_QUEUE: Readonly<Record<JobName, QueueName>> = {
  [JobName.JoinCall]: QueueName.Bots,
  [JobName.MuxSpeaker]: QueueName.Media,
  [JobName.MixAudio]: QueueName.Media,
  [JobName.TranscribeSpeaker]: QueueName.Transcripts,
  [JobName.MergeTranscript]: QueueName.Transcripts,
  [JobName.Publish]: QueueName.Publish,
  [JobName.Webhook]: QueueName.Webhooks,
};

/** What a handler receives besides the payload. */
export interface JobContext {
  jobId: string;
  attempt: number;
  /** Report progress (0-100, or a small JSON object such as live call stats). */
  progress(progress: number | object): Promise<void>;
  /**
   * Aborted when this worker could not renew the job's lock (Redis lost it, e.g. after an outage
   * longer than JOB_LOCK_DURATION_MS): the job is or will be run again elsewhere; this run's result
   * will not be recorded.
   */
  lockLost?: AbortSignal;
  /** Replace the job's stored data (retries then see it): used to fix a payload once. */
  updateData?(data: unknown): Promise<void>;
}

/** A job handler: throw to fail (RecbotError.retryable decides whether BullMQ retries). */
export type JobHandler<N extends JobName> = (data: JobPayloadMap[N], ctx: JobContext) => Promise<unknown>;
