import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { MediaPipeline } from './media-pipeline';
import type { Publisher } from './publisher';

/** Register the pipeline's job handlers: MuxSpeaker, MixAudio, Publish (thin: the work is in the services). */
export function registerPipelineHandlers(registry: JobHandlerRegistry, deps: { pipeline: MediaPipeline; publisher: Publisher }): void {
  registry.register(JobName.MuxSpeaker, (d) => deps.pipeline.muxSpeaker(d.recordingId, d.participantId));
  registry.register(JobName.MixAudio, async (d) => (await deps.pipeline.mixAudio(d.recordingId)) ?? null);
  registry.register(JobName.Publish, async (d) => {
    const m = await deps.publisher.publish(d.recordingId);
    return { status: m.status, outputs: m.outputs.map((o) => o.key) };
  });
}
