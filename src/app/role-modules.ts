import { RecorderModule } from '../recorder-role/recorder.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { WorkerModule } from '../worker/worker.module';
import type { RoleModules } from './app.module';

/** The Nest feature modules each APP_ROLE loads. */
export function roleModules(): RoleModules {
  return {
    api: [RecordingsModule],
    recorder: [RecorderModule],
    worker: [WorkerModule],
  };
}
