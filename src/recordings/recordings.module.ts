import { Module } from '@nestjs/common';
import { RecordingsController } from './recordings.controller';
import { RecordingsService } from './recordings.service';

/** APP_ROLE=api: the recordings HTTP API. */
@Module({ controllers: [RecordingsController], providers: [RecordingsService] })
export class RecordingsModule {}
