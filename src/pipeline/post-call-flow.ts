import type { JobRepository } from '../jobs/job.repository';
import type { ManifestRepository } from '../manifest/manifest-repository';
import { MediaPipeline } from './media-pipeline';

/**
 * Start the post-call flow of a recording from its stored manifest (call it once the recorder has
 * drained its uploads and stored the final manifest.json). Idempotent: job ids are deterministic.
 * Returns the speakers the flow muxes.
 */
export async function startPostCallFlow(jobs: JobRepository, manifests: ManifestRepository, recordingId: string): Promise<string[]> {
  const plan = MediaPipeline.flowPlan(await manifests.load(recordingId));
  await jobs.createRecordingFlow(recordingId, plan.speakers, plan.options);
  return plan.speakers.map((s) => s.participantId);
}
