import { Module } from '@nestjs/common';
import { RecordingsController } from './recordings.controller';
import { RecordingsService } from './recordings.service';
import { RecordingGuards } from './recording-guards';

/** APP_ROLE=api: the recordings HTTP API. */
@Module({ controllers: [RecordingsController], providers: [RecordingsService, RecordingGuards] })
export class RecordingsModule {}
