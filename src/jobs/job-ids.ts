import { JobName, type JobItem } from './job.types';

/**
 * Deterministic BullMQ job ids, so adding the same job twice (a retry of the flow, a duplicate
 * API call) is a no-op. BullMQ rejects custom ids with ':' (except legacy 3-part repeat ids),
 * so parts are joined with '.' and each part percent-escapes '.', ':' and '%'.
 */
export function jobId(item: JobItem): string {
  switch (item.name) {
    case JobName.JoinCall:
      return idOf('join', item.data.recordingId, String(item.data.part));
    case JobName.MuxSpeaker:
      return idOf('mux', item.data.recordingId, item.data.participantId);
    case JobName.MixAudio:
      return idOf('mix', item.data.recordingId);
    case JobName.TranscribeSpeaker:
      return idOf('transcribe', item.data.recordingId, item.data.participantId);
    case JobName.MergeTranscript:
      return idOf('transcript', item.data.recordingId);
    case JobName.Publish:
      return idOf('publish', item.data.recordingId);
    case JobName.Webhook:
      return item.data.key === undefined
        ? idOf('webhook', item.data.recordingId, item.data.event)
        : idOf('webhook', item.data.recordingId, item.data.event, item.data.key);
  }
}

/** Join id parts with '.', escaping each part so different inputs never collide. */
export function idOf(...parts: string[]): string {
  return parts.map(escapePart).join('.');
}

function escapePart(p: string): string {
  return p.replace(/[%.:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
