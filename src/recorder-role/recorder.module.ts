import { Module } from '@nestjs/common';
import { RecorderService } from './recorder.service';

/** APP_ROLE=recorder: takes JoinCall jobs and runs bots. */
@Module({ providers: [RecorderService] })
export class RecorderModule {}
