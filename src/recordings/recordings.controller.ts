import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseIdempotencyKey } from './recording-guards';
import { parseCreateRecording } from './recording-request';
import { RecordingsService } from './recordings.service';

/**
 * Thin HTTP layer over RecordingsService. Bodies are validated in parseCreateRecording;
 * authentication runs before any body is parsed (src/app/http-security.ts).
 */
@Controller('v1/recordings')
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Headers('idempotency-key') key: unknown, @Res({ passthrough: true }) res: Response) {
    const { view, replayed } = await this.recordings.create(parseCreateRecording(body), { idempotencyKey: parseIdempotencyKey(key) });
    if (replayed) res.status(200); // the same key and body: the recording made the first time
    return view;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.recordings.get(id);
  }

  @Post(':id/stop')
  @HttpCode(202)
  stop(@Param('id') id: string) {
    return this.recordings.stop(id);
  }

  @Delete(':id')
  remove(@Param('id') id: string) {
    return this.recordings.delete(id);
  }
}
