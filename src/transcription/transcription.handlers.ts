import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { TranscriptionService } from './transcription.service';

/** Register TranscribeSpeaker and MergeTranscript (thin: the work is in TranscriptionService). */
export function registerTranscriptionHandlers(registry: JobHandlerRegistry, deps: { transcription: TranscriptionService }): void {
  registry.register(JobName.TranscribeSpeaker, (d) => deps.transcription.transcribeSpeaker(d.recordingId, d.participantId, d.mediaKey));
  registry.register(JobName.MergeTranscript, async (d) => {
    const outputs = await deps.transcription.mergeTranscript(d.recordingId);
    return { outputs: outputs.map((o) => o.key) };
  });
}
