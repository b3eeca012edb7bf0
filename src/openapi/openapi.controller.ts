import { Controller, Get, Header } from '@nestjs/common';
import { buildOpenApiDocument, docsPage } from './openapi.document';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../package.json') as { version: string }).version;

/** GET /openapi.json and GET /docs (no auth: the contract is not a secret). */
@Controller()
export class OpenApiController {
  private readonly doc = buildOpenApiDocument(VERSION);
  private readonly page = docsPage(this.doc);

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.doc;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    return this.page;
  }
}
