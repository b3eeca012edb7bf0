import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import type { RunningCalls } from './running-calls';

/** The JoinCall job: thin, the call's life is in RunningCalls. */
export function registerJoinCall(registry: JobHandlerRegistry, calls: RunningCalls): void {
  registry.register(JobName.JoinCall, (d, ctx) => calls.join(d.recordingId, ctx.progress, ctx.lockLost));
}

/** BullMQ's final failure of a bots-queue job: a JoinCall that gave up fails its recording. */
export async function onJoinCallFinalFailure(calls: RunningCalls, job: { name: JobName; data: unknown; error: string }): Promise<void> {
  const recordingId = (job.data as { recordingId?: unknown } | null)?.recordingId;
  if (job.name !== JobName.JoinCall || typeof recordingId !== 'string') return;
  await calls.onJoinCallFailed(recordingId, job.error);
}
