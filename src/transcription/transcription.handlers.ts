import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { TranscriptionService } from './transcription.service';

/** What the handlers need besides the service. */
export interface TranscriptionHandlerDeps {
  transcription: TranscriptionService;
  /**
   * Called after MergeTranscript stored the transcript (e.g. queue the `transcript.completed`
   * webhook). A failure fails the job, which BullMQ retries; the merge is idempotent.
   */
  onTranscriptMerged?(recordingId: string): Promise<void>;
}

/** Register TranscribeSpeaker and MergeTranscript (thin: the work is in TranscriptionService). */
export function registerTranscriptionHandlers(registry: JobHandlerRegistry, deps: TranscriptionHandlerDeps): void {
  registry.register(JobName.TranscribeSpeaker, (d) => deps.transcription.transcribeSpeaker(d.recordingId, d.participantId, d.mediaKey));
  registry.register(JobName.MergeTranscript, async (d) => {
    const outputs = await deps.transcription.mergeTranscript(d.recordingId);
    await deps.onTranscriptMerged?.(d.recordingId);
    return { outputs: outputs.map((o) => o.key) };
  });
}
