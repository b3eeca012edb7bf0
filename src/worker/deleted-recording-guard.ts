import type { Logger } from '../common/logger';
import type { JobMiddleware } from '../jobs/job-handler.registry';
import { JobName } from '../jobs/job.types';
import { storageKeys } from '../storage/storage-keys';
import type { StorageDriver } from '../storage/storage.types';

/**
 * Job middleware for the worker: jobs of a deleted recording (CallControl tombstone) do nothing,
 * except its `recording.deleted` webhook; a job that was already running when the recording was
 * deleted (a mux writing its output...) has every object of the recording removed again after it,
 * so DELETE really leaves nothing behind.
 */
export function deletedRecordingGuard(o: {
  control: { isDeleted(recordingId: string): Promise<boolean> };
  storage: Pick<StorageDriver, 'deletePrefix'>;
  log: Logger;
}): JobMiddleware {
  return async (name, data, next) => {
    const { recordingId, event } = data as { recordingId: string; event?: string };
    if (name === JobName.Webhook && event === 'recording.deleted') return next();
    if (await o.control.isDeleted(recordingId)) {
      o.log.info({ recordingId, job: name }, 'recording deleted; job skipped');
      return { skipped: 'recording deleted' };
    }
    const result = await next();
    // The job's work is done: a failing check (Redis down, shutting down) must not fail it.
    if (await o.control.isDeleted(recordingId).catch(() => false)) {
      const removed = await o.storage.deletePrefix(storageKeys.recordingPrefix(recordingId)).catch(() => 0);
      o.log.info({ recordingId, job: name, removed }, 'recording deleted while the job ran; its objects removed again');
    }
    return result;
  };
}
