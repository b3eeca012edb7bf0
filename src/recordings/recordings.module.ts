import { Module } from '@nestjs/common';
import { RecordingOutputsController } from './recording-outputs.controller';
import { RecordingsController } from './recordings.controller';
import { RecordingsService } from './recordings.service';

/** APP_ROLE=api: the recordings HTTP API. */
@Module({ controllers: [RecordingsController, RecordingOutputsController], providers: [RecordingsService] })
export class RecordingsModule {}
