import { z } from 'zod';
import { createRecordingSchema } from '../recordings/recording-request';
import { listRecordingsQuerySchema, RECORDING_STATUSES } from '../recordings/recording-list';

/**
 * The OpenAPI 3.1 document of recbot's HTTP API. Request bodies and query parameters come from the
 * same zod schemas that validate requests (z.toJSONSchema), so the two cannot drift; a test checks
 * the document against the OpenAPI 3.1 schema and that every registered route is in it.
 */
type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
const error = (description: string): Json => json(ref('Error'), description);
const idParam: Json = { name: 'id', in: 'path', required: true, description: 'Recording id', schema: { type: 'string', maxLength: 128 } };
const common: Json = {
  '400': error('Invalid request: the message names every bad field'),
  '401': error('Missing or wrong bearer token'),
  '429': error('Too many requests'),
  '503': error('A dependency (Redis, storage) is unavailable; retry'),
};

/** Query parameters from the list query schema (plus the metadata.KEY filters it takes apart). */
function listParameters(): Json[] {
  const props = (jsonSchema(listRecordingsQuerySchema).properties ?? {}) as Record<string, Json>;
  const described: Record<string, string> = {
    status: 'Only recordings in this status', roomId: 'Only this room', createdAfter: 'Created at or after (ISO 8601 or epoch ms)',
    createdBefore: 'Created before (ISO 8601 or epoch ms)', limit: 'Page size, 1..100 (default 20)', cursor: 'nextCursor of the previous page',
  };
  const params: Json[] = Object.entries(props).map(([name, schema]) => ({ name, in: 'query', required: false, description: described[name] ?? name, schema }));
  params.push({
    name: 'metadata', in: 'query', required: false, style: 'deepObject', explode: true,
    description: 'metadata.KEY=VALUE: only recordings whose metadata has KEY = VALUE (up to 8 filters)',
    schema: { type: 'object', additionalProperties: { type: 'string' } },
  });
  return params;
}

export function buildOpenApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'recbot API', version,
      description: 'Server-side recorder for P2P WebRTC interview calls: start a bot in a call, follow it, fetch per-speaker files and transcripts.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' } },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message', 'retryable'], properties: { code: { type: 'string' }, message: { type: 'string' }, retryable: { type: 'boolean' } } } },
        },
        CreateRecording: jsonSchema(createRecordingSchema),
        RecordingStatus: { type: 'string', enum: [...RECORDING_STATUSES] },
        Health: {
          type: 'object', required: ['status', 'checks'],
          properties: {
            status: { type: 'string' }, role: { type: 'string' }, uptimeS: { type: 'integer' },
            checks: { type: 'object', additionalProperties: { type: 'object', properties: { ok: { type: 'boolean' }, detail: { type: 'string' } } } },
          },
        },
        Output: {
          type: 'object', required: ['name', 'kind', 'size', 'md5', 'createdMs', 'url'],
          properties: {
            name: { type: 'string', examples: ['speakers/p1.webm', 'mix.webm', 'transcript.vtt'] }, kind: { type: 'string', enum: ['speaker', 'mix', 'speaker-mp4', 'transcript'] },
            participantId: { type: 'string' }, size: { type: 'integer' }, md5: { type: 'string' }, durationMs: { type: 'integer' }, format: { type: 'string' },
            createdMs: { type: 'integer' }, url: { type: 'string', description: 'Path of the download endpoint' },
          },
        },
        Recording: {
          type: 'object', required: ['id', 'status', 'roomId', 'outputs', 'manifest'],
          properties: {
            id: { type: 'string' }, status: ref('RecordingStatus'), roomId: { type: 'string' }, outputs: { type: 'array', items: ref('Output') },
            manifest: { type: 'object', description: 'The recording manifest: participants, tracks, segments, gaps, parts, outputs, status history, webhook deliveries' },
          },
        },
        RecordingSummary: {
          type: 'object', required: ['id', 'status', 'roomId', 'createdMs', 'participants', 'metadata', 'outputs'],
          properties: {
            id: { type: 'string' }, status: ref('RecordingStatus'), roomId: { type: 'string' }, createdMs: { type: 'integer' }, endedMs: { type: 'integer' },
            participants: { type: 'integer' }, metadata: { type: 'object', additionalProperties: { type: 'string' } }, outputs: { type: 'array', items: ref('Output') },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/recordings': {
        post: {
          operationId: 'createRecording', summary: 'Start recording a call: a bot joins the room',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateRecording') } } },
          responses: { '201': json(ref('Recording'), 'Created; the bot joins shortly'), ...common },
        },
        get: {
          operationId: 'listRecordings', summary: 'List recordings, newest first', parameters: listParameters(),
          responses: {
            '200': json({ type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: ref('RecordingSummary') }, nextCursor: { type: ['string', 'null'] } } }, 'One page'),
            ...common,
          },
        },
      },
      '/v1/recordings/{id}': {
        parameters: [idParam],
        get: { operationId: 'getRecording', summary: 'A recording with its manifest and outputs', responses: { '200': json(ref('Recording'), 'The recording'), '404': error('No such recording'), ...common } },
        delete: {
          operationId: 'deleteRecording', summary: 'Stop it if running and delete every object',
          responses: {
            '200': json({ type: 'object', required: ['id', 'deletedObjects'], properties: { id: { type: 'string' }, deletedObjects: { type: 'integer' } } }, 'Deleted'),
            '404': error('No such recording'), '409': error('Outputs under S3 Object Lock'), ...common,
          },
        },
      },
      '/v1/recordings/{id}/stop': {
        parameters: [idParam],
        post: { operationId: 'stopRecording', summary: 'The bot leaves; the post-call flow starts', responses: { '202': json(ref('Recording'), 'Stopping'), '404': error('No such recording'), ...common } },
      },
      '/v1/recordings/{id}/outputs/{name}': {
        parameters: [idParam, { name: 'name', in: 'path', required: true, description: "The output's name as listed (may contain '/')", schema: { type: 'string' } }],
        get: {
          operationId: 'downloadOutput', summary: 'Download a published output (seekable)',
          description: 'fs driver: the bytes, with Range (one range), ETag, If-None-Match and If-Range. s3 driver: 302 to a presigned URL valid OUTPUT_URL_TTL_S seconds, or with redirect=false a JSON {url, expiresAt}.',
          parameters: [
            { name: 'redirect', in: 'query', required: false, schema: { type: 'string', enum: ['false'] }, description: 's3 driver: answer JSON instead of a redirect' },
            { name: 'Range', in: 'header', required: false, schema: { type: 'string', examples: ['bytes=0-1023'] } },
            { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
            { name: 'If-Range', in: 'header', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The whole file (or {url, expiresAt} with redirect=false)', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
            '206': { description: 'The requested range (Content-Range)' },
            '302': { description: 's3 driver: Location is a presigned URL' },
            '304': { description: 'Not modified (ETag)' },
            '404': error('No such recording or output'),
            '416': { description: 'Range not satisfiable (Content-Range: bytes */size)' },
            ...common,
          },
        },
      },
      '/livez': {
        get: { operationId: 'livez', summary: 'Liveness: the process answers', security: [], responses: { '200': json({ type: 'object' }, 'Alive') } },
      },
      '/readyz': {
        get: {
          operationId: 'readyz', summary: 'Readiness: Redis, storage, spool disk, not draining (a recorder at capacity stays ready)', security: [],
          responses: { '200': json(ref('Health'), 'Ready'), '503': json(ref('Health'), 'Not ready: the failing checks') },
        },
      },
      '/healthz': {
        get: { operationId: 'health', summary: 'Same as /readyz', security: [], responses: { '200': json(ref('Health'), 'Ready'), '503': json(ref('Health'), 'Not ready') } },
      },
      '/metrics': {
        get: { operationId: 'metrics', summary: 'Prometheus metrics (recbot_ prefix)', security: [], responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
      },
      '/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } },
      },
      '/docs': {
        get: { operationId: 'docs', summary: 'A readable page of this document', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } },
      },
    },
  };
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML page of the document (no outside assets: recbot runs offline). */
export function docsPage(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const rows: string[] = [];
  for (const [p, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'parameters') continue;
      const codes = Object.keys((op.responses ?? {}) as Json).join(' ');
      rows.push(`<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(p)}</code></td><td>${escape(String(op.summary ?? ''))}${op.description ? `<br><small>${escape(String(op.description))}</small>` : ''}</td><td>${codes}</td></tr>`);
    }
  }
  const info = doc.info as { title: string; version: string; description: string };
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(info.title)}</title>
<style>body{font-family:sans-serif;margin:2em}td{border-top:1px solid #ddd;padding:.4em;vertical-align:top}</style></head>
<body><h1>${escape(info.title)} ${escape(info.version)}</h1><p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>{error:{code,message,retryable}}</code>.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>responses</th></tr>${rows.join('')}</table></body></html>`;
}
