import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
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
  create(@Body() body: unknown) {
    return this.recordings.create(parseCreateRecording(body));
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
