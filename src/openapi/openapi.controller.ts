import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { buildOpenApiDocument, docsPage } from './openapi.document';

/** recbot's version from the nearest package.json named recbot above this file (dist/ may be built elsewhere). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'recbot' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here */
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

const VERSION = packageVersion();

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
