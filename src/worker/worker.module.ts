import { Module } from '@nestjs/common';
import { WorkerService } from './worker.service';

/** APP_ROLE=worker: the post-call flow. */
@Module({ providers: [WorkerService] })
export class WorkerModule {}
