import { Module } from '@nestjs/common';
import { RecordingOutputsController } from './recording-outputs.controller';
import { RecordingsController } from './recordings.controller';
import { OpenApiController } from '../openapi/openapi.controller';
import { RecordingIndex } from './recording-index';
import { RecordingsListController } from './recordings-list.controller';
import { RecordingsService } from './recordings.service';
import { RecordingGuards } from './recording-guards';

/** APP_ROLE=api: the recordings HTTP API. */
@Module({
  controllers: [OpenApiController, RecordingsListController, RecordingsController, RecordingOutputsController],
  providers: [RecordingsService, RecordingIndex, RecordingGuards],
})
export class RecordingsModule {}
