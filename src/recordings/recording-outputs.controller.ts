import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, STORAGE } from '../app/tokens';
import type { AppConfig } from '../config/config.schema';
import { RecbotError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { StorageDriver } from '../storage/storage.types';
import { contentTypeOf, downloadFilename, etagOf, notModified, parseRange, rangeAllowed } from './output-download';
import { findOutput } from './recording-outputs';
import { RecordingsService } from './recordings.service';

/**
 * GET /v1/recordings/:id/outputs/{name}: a published output. fs driver: streamed here with Range,
 * ETag and conditional requests, so a browser's <video> and ffprobe can seek. s3 driver: a 302 to a
 * short-lived presigned URL (S3 serves the ranges), or `?redirect=false` for `{url, expiresAt}`.
 */
@Controller('v1/recordings')
export class RecordingOutputsController {
  private readonly log = createLogger({ component: 'outputs' });
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly recordings: RecordingsService,
  ) {}

  @Get(':id/outputs/*name')
  async download(
    @Param('id') id: string,
    @Param('name') nameParam: string | string[],
    @Query('redirect') redirect: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const name = Array.isArray(nameParam) ? nameParam.join('/') : nameParam;
    const manifest = await this.recordings.findManifest(id);
    if (!manifest) throw new RecbotError('NOT_FOUND', 'no such recording');
    const output = findOutput(manifest, name);
    if (!output) throw new RecbotError('NOT_FOUND', `recording ${id} has no output '${name.slice(0, 200)}'`);

    if (this.storage.presignGet) {
      const url = await this.storage.presignGet(output.key, this.config.OUTPUT_URL_TTL_S, downloadFilename(id, name));
      const expiresAt = new Date(Date.now() + this.config.OUTPUT_URL_TTL_S * 1000).toISOString();
      res.setHeader('Cache-Control', 'no-store');
      if (redirect === 'false') res.status(200).json({ url, expiresAt });
      else res.redirect(302, url);
      return;
    }

    const etag = etagOf(output.md5);
    res.setHeader('ETag', etag);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', contentTypeOf(name));
    res.setHeader('Content-Disposition', `inline; filename="${downloadFilename(id, name)}"`);
    res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
    if (notModified(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    const ifRange = req.headers['if-range'];
    const range = rangeAllowed(typeof ifRange === 'string' ? ifRange : undefined, etag) ? parseRange(req.headers.range, output.size) : { kind: 'full' as const };
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${output.size}`);
      res.status(416).end();
      return;
    }
    const part = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
    const stream = await this.storage.getStream(output.key, part);
    if (part) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${part.start}-${part.end}/${output.size}`);
    } else res.status(200);
    res.setHeader('Content-Length', String(part ? part.end - part.start + 1 : output.size));
    if (req.method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    stream.on('error', (err: Error) => {
      this.log.warn({ recordingId: id, output: name, err: err.message }, 'output stream failed');
      res.destroy(err);
    });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }
}
