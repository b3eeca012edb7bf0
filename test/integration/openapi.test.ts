/**
 * The API contract: /openapi.json is a valid OpenAPI 3.1 document (checked with an OpenAPI schema
 * validator), every route the running service registers is in it and nothing else, its request
 * schema is the one the API validates with, and error bodies have the documented shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startService, type RunningService } from '../../src/app/bootstrap';

jest.setTimeout(60_000);

interface Layer { route?: { path: string; methods: Record<string, boolean> } }

/** Every route of the Express app behind Nest, as "METHOD /openapi/{style}". */
function registeredRoutes(svc: RunningService): string[] {
  const app = svc.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const out: string[] = [];
  for (const layer of app.router.stack) {
    if (!layer.route) continue;
    const p = layer.route.path.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}');
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${p}`);
  }
  return out.sort();
}

describe('OpenAPI document', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'recbot-openapi-'));
  let svc: RunningService;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
  beforeAll(async () => {
    svc = await startService({ HTTP_PORT: '0', WORK_DIR: dir, LOG_LEVEL: 'silent' });
    const r = await fetch(`${svc.url}/openapi.json`);
    expect(r.status).toBe(200);
    doc = (await r.json()) as typeof doc;
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates against the OpenAPI 3.1 schema', () => {
    // The validator is an ES module: run it in its own node process on the served document.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      let s = ''; for await (const c of process.stdin) s += c;
      const v = new Validator(); const r = await v.validate(JSON.parse(s));
      process.stdout.write(JSON.stringify({ valid: r.valid, errors: r.errors ?? null, version: v.version }));`;
    const validate = (d: unknown): { valid: boolean; errors: unknown; version: string } =>
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(d), cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' })) as { valid: boolean; errors: unknown; version: string };
    expect(validate(doc)).toEqual({ valid: true, errors: null, version: '3.1' });
    // The check can fail: the same document without its info object is rejected.
    expect(validate({ ...doc, info: undefined }).valid).toBe(false);
  });

  it('documents exactly the routes the service registers', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => m !== 'parameters').map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented).toEqual(registeredRoutes(svc));
  });

  it('request schema is the validating one, and errors have the documented shape', async () => {
    const props = Object.keys(doc.components.schemas.CreateRecording?.properties ?? {});
    expect(props).toEqual(expect.arrayContaining(['signalingUrl', 'roomId', 'metadata']));
    const bad = await fetch(`${svc.url}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"roomId":1}' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'retryable']);
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) if (op.responses) expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    const docs = await fetch(`${svc.url}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await docs.text()).toContain('/v1/recordings/{id}/outputs/{name}');
  });
});
