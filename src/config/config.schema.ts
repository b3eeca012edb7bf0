import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../common/errors';
import { envBool, envInt, envOptionalString, envString } from './env-types';
import { storageConfigShape } from '../storage/storage.config';
import { recorderConfigShape } from '../recorder/recorder.config';
import { botConfigShape } from '../bot/bot.config';
import { transcriptionConfigShape } from '../transcription/transcription.config';
import { webhookConfigShape } from '../webhooks/webhook.config';
import { pipelineConfigShape } from '../pipeline/pipeline.config';
import { jobsConfigShape } from '../jobs/jobs.config';
import { redactText, registerSecret } from '../security/redact';

/**
 * The default WORK_DIR: `var/` in the recbot installation (the checkout, or /app in the image), not
 * the process's working directory, so recbot started from anywhere finds the same spool and Redis.
 */
export const DEFAULT_WORK_DIR = path.resolve(__dirname, '..', '..', 'var');

/** Core settings. Feature modules own their own shapes (see the imports); all are merged here. */
const coreConfigShape = {
  APP_ROLE: z.enum(['api', 'recorder', 'worker', 'all']).optional().transform((v) => v ?? 'all'),
  HTTP_HOST: envString('127.0.0.1'),
  HTTP_PORT: envInt(8080, { min: 0, max: 65535 }),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
  /** Pretty logs; defaults to true when stdout is a terminal. */
  LOG_PRETTY: envOptionalString().pipe(z.enum(['true', 'false']).optional()),
  WORK_DIR: envString(DEFAULT_WORK_DIR),
  REDIS_URL: envOptionalString().pipe(
    z
      .url({ message: 'must be a redis:// or rediss:// URL' })
      .refine((u) => /^rediss?:\/\/[^/]/i.test(u), 'must be a redis:// or rediss:// (TLS) URL')
      .optional(),
  ),
  REDIS_SERVER_BIN: envString('redis-server'),
  FFMPEG_BIN: envString('ffmpeg'),
  FFPROBE_BIN: envString('ffprobe'),
  SHUTDOWN_GRACE_MS: envInt(30_000, { min: 0 }),
  API_TOKEN: envOptionalString(),
  /** 'token' (default): /v1/* needs API_TOKEN unless HTTP_HOST is loopback; 'none': no authentication (explicit). */
  API_AUTH: z.enum(['token', 'none']).optional().transform((v) => v ?? 'token'),
  API_AUTH_MAX_FAILURES: envInt(10, { min: 1 }),
  API_AUTH_WINDOW_MS: envInt(60_000, { min: 1000 }),
  /** -1: /metrics on HTTP_PORT (behind API_TOKEN when set); otherwise a separate listener on this port. */
  METRICS_PORT: envInt(-1, { min: -1, max: 65535 }),
  /** How long an Idempotency-Key of POST /v1/recordings is remembered. */
  IDEMPOTENCY_TTL_S: envInt(86_400, { min: 60 }),
  /** Comma-separated origins allowed by CORS; empty: CORS off. */
  CORS_ORIGINS: envOptionalString().transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  /** Comma-separated outbound targets allowed besides public addresses: loopback, private, link-local, any, CIDRs, IPs, host names. */
  OUTBOUND_ALLOW: envOptionalString(),
  METRICS_ENABLED: envBool(true),
};

export const configSchema = z.object({
  ...coreConfigShape,
  ...storageConfigShape,
  ...recorderConfigShape,
  ...botConfigShape,
  ...transcriptionConfigShape,
  ...webhookConfigShape,
  ...pipelineConfigShape,
  ...jobsConfigShape,
});

export type AppConfig = z.output<typeof configSchema>;
export type AppRole = AppConfig['APP_ROLE'];

/** The names of every variable the schema knows (for docs and the unknown-variable check). */
export const CONFIG_KEYS = Object.keys(configSchema.shape);

/** Settings that name a directory: made absolute at load. */
const DIR_KEYS = ['WORK_DIR', 'STORAGE_FS_DIR'] as const;
/** Settings that name a binary: a bare name is looked up on PATH; anything with a '/' is made absolute. */
const BIN_KEYS = ['REDIS_SERVER_BIN', 'FFMPEG_BIN', 'FFPROBE_BIN'] as const;

/**
 * Every path setting resolved once against `cwd`, so nothing downstream depends on the process's
 * working directory (ffconcat scripts, for one, resolve relative `file` lines against their own folder).
 */
export function resolveConfigPaths(config: AppConfig, cwd: string): AppConfig {
  const out = { ...config };
  for (const k of DIR_KEYS) {
    const v = out[k];
    if (v !== undefined) out[k] = path.resolve(cwd, v);
  }
  for (const k of BIN_KEYS) if (out[k].includes('/')) out[k] = path.resolve(cwd, out[k]);
  return out;
}

/**
 * Parse and validate configuration once, at boot. Throws ConfigError naming every bad variable.
 * This is the only place that reads process.env (callers pass it in). Paths come out absolute,
 * resolved against `cwd`.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): AppConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) input[key] = env[key];
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      return redactText(`${key}=${shownValue(key, env[key])}: ${i.message}`);
    });
    throw new ConfigError(problems);
  }
  registerConfigSecrets(result.data);
  return resolveConfigPaths(result.data, cwd);
}

/** A bad value as a config error shows it: never a secret (the one redaction rule, src/security/redact.ts). */
function shownValue(key: string, val: string | undefined): string {
  if (val === undefined) return 'unset';
  if (/KEY|SECRET|TOKEN|PASSWORD/.test(key)) return '<hidden>';
  if (JSON_VARS.has(key)) {
    // JSON that does not parse cannot be redacted field by field: show only its size.
    try {
      JSON.parse(val);
    } catch {
      return `<${val.length} characters of invalid JSON, not shown>`;
    }
  }
  return redactText(JSON.stringify(val));
}

const JSON_VARS = new Set(['ICE_SERVERS', 'WEBHOOK_ENDPOINTS']);

/** Every secret of the validated config is masked wherever it would appear later (logs, API, errors). */
function registerConfigSecrets(c: AppConfig): void {
  for (const v of [c.API_TOKEN, c.S3_SECRET_ACCESS_KEY, c.OPENAI_API_KEY]) registerSecret(v);
  for (const s of c.ICE_SERVERS) registerSecret(s.credential);
  for (const e of c.WEBHOOK_ENDPOINTS) registerSecret(e.secret);
  for (const u of [c.REDIS_URL, c.OPENAI_BASE_URL, c.AZURE_OPENAI_ENDPOINT, c.S3_ENDPOINT]) {
    if (!u) continue;
    try {
      registerSecret(decodeURIComponent(new URL(u).password));
    } catch {
      // not a URL: nothing to register
    }
  }
}
