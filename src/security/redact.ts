/**
 * The one secret-redaction rule of recbot, used by config errors, logs (every line pino writes), the
 * API's responses (recording views, error messages) and the CLI. It masks:
 * - credentials in URLs (`scheme://user:pass@host` and secret-looking query parameters);
 * - JSON/YAML-ish fields named like secrets (credential, password, secret, token, apiKey, ...),
 *   which covers TURN credentials inside ICE_SERVERS and webhook secrets inside WEBHOOK_ENDPOINTS;
 * - Standard Webhooks secrets (`whsec_...`) and `Bearer` tokens anywhere;
 * - every value registered with registerSecret (the process's own API_TOKEN, S3 and OpenAI keys,
 *   webhook and TURN secrets from the validated config), wherever it appears.
 */
export const REDACTED = '[redacted]';

const known = new Set<string>();

/** Remember a secret value so that it is masked wherever it appears later (short values are ignored). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

/** Forget registered secrets (tests). */
export function clearRegisteredSecrets(): void {
  known.clear();
}

const SECRET_NAME = '(?:credential|password|passwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?access[_-]?key|authorization|auth|signature|sig|username)';
const RULES: [RegExp, string][] = [
  // scheme://user:pass@host and scheme://token@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // user:pass@host without (or with a mangled) scheme
  [/(^|[\s"'=(/])[^\s/:@"'=()]+:[^\s/@"']+@(?=[a-z0-9[])/gi, `$1${REDACTED}@`],
  // ?token=...&password=...
  [new RegExp(`([?&;][^=&\\s"'#]*${SECRET_NAME}[^=&\\s"'#]*=)[^&\\s"'#]*`, 'gi'), `$1${REDACTED}`],
  // "credential": "..."  /  \"credential\":\"...\" (JSON inside a JSON string) / credential=...
  [new RegExp(`((?:\\\\?["'])?${SECRET_NAME}(?:\\\\?["'])?\\s*[:=]\\s*)(\\\\?["'])(?:(?!\\2).)*\\2`, 'gi'), `$1$2${REDACTED}$2`],
  [/whsec_[A-Za-z0-9+/=_-]+/g, `whsec_${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
];

/** `text` with every secret the rule recognises masked. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [re, rep] of RULES) out = out.replace(re, rep);
  return out;
}

/** A deep copy of `value` with every string redacted (bounded depth; for API views and snapshots). */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, depth + 1);
  return out as T;
}
