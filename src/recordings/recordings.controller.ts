import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../app/tokens';
import type { AppConfig } from '../config/config.schema';
import { assertApiToken } from './api-auth';
import { parseCreateRecording } from './recording-request';
import { RecordingsService } from './recordings.service';

/** Thin HTTP layer over RecordingsService. Bodies are validated in parseCreateRecording. */
@Controller('v1/recordings')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown, @Req() req: Request) {
    this.auth(req);
    return this.recordings.create(parseCreateRecording(body));
  }

  @Get(':id')
  get(@Param('id') id: string, @Req() req: Request) {
    this.auth(req);
    return this.recordings.get(id);
  }

  @Post(':id/stop')
  @HttpCode(202)
  stop(@Param('id') id: string, @Req() req: Request) {
    this.auth(req);
    return this.recordings.stop(id);
  }

  @Delete(':id')
  remove(@Param('id') id: string, @Req() req: Request) {
    this.auth(req);
    return this.recordings.delete(id);
  }

  private auth(req: Request): void {
    assertApiToken(this.config.API_TOKEN, req);
  }
}
