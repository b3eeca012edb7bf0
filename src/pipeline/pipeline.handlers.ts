import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { StorageManifestRepository } from '../manifest/manifest-repository';
import type { MediaPipeline } from './media-pipeline';
import type { Publisher } from './publisher';

/**
 * Register the pipeline's job handlers: MuxSpeaker, MixAudio, Publish (thin: the work is in the
 * services). A MuxSpeaker's findings (corrupt gaps) are its own object; Publish merges them.
 */
export function registerPipelineHandlers(
  registry: JobHandlerRegistry,
  deps: { pipeline: MediaPipeline; publisher: Publisher; manifests: Pick<StorageManifestRepository, 'saveFindings'> },
): void {
  registry.register(JobName.MuxSpeaker, async (d) => {
    const r = await deps.pipeline.muxSpeaker(d.recordingId, d.participantId);
    await deps.manifests.saveFindings(d.recordingId, `mux-${d.participantId}`, { gaps: r.gaps });
    return { outputs: r.outputs, gaps: r.gaps.length };
  });
  registry.register(JobName.MixAudio, async (d) => (await deps.pipeline.mixAudio(d.recordingId)) ?? null);
  registry.register(JobName.Publish, async (d) => {
    const m = await deps.publisher.publish(d.recordingId);
    return { status: m.status, outputs: m.outputs.map((o) => o.key) };
  });
}
