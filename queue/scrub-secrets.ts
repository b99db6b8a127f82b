/**
 * The one scrubber of secrets for everything that leaves a process: log lines,
 * `check-config`, http answers, metric labels, event logs. Two parts:
 *
 * - `scrubUrl(text)`: credentials inside free text — the userinfo of URLs (plain or
 *   percent-encoded, as in a `git` spec), token query parameters, well-known token formats.
 * - `scrubSecrets(value)`: any value at any depth — strings through `scrubUrl`, values of
 *   secret-named keys (`password`, `*_token`, `*secret`, `*credentials`, `auth(s)`, …)
 *   replaced, errors turned into `{type, message, stack}` with both scrubbed.
 *
 * Every pattern is linear in the length of the text (no nested quantifiers).
 */

export const SECRET = '[secret]';

/**
 * Authority of a URL (`//` or `%2F%2F`) up to its last `@`/`%40` before the path. The run
 * stops at whitespace, quotes, `/ ? #` and their encoded forms, so it never spans URLs.
 */
const USERINFO = /(\/\/|%2F%2F)((?:(?!%2F|%3F|%23)[^\s/?#"'<>])*)(@|%40)/gi;

const QUERY_SECRETS = new RegExp(
  '((?:[?&]|%3F|%26)(?:access_token|private_token|build_token|token|client_secret|secret|password|api_key|apikey)(?:=|%3D))(?:(?!%26)[^&\\s"\'#<>])+',
  'gi',
);

/** GitHub (`ghp_…`, `github_pat_…`) and GitLab (`glpat-…`) tokens, and HTTP credentials. */
const KNOWN_TOKENS =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255}|glpat-[A-Za-z0-9_-]{20,255})\b|\b((?:Bearer|Basic) )(?=[A-Za-z0-9._~+/-]{0,4096}[0-9A-Z+/])[A-Za-z0-9._~+/-]{8,4096}=*/g;

/** Does the text just before `offset` name an ssh scheme (whose user name is no secret)? */
function afterSshScheme(text: string, offset: number): boolean {
  return /ssh(?::|%3A)$/i.test(text.slice(Math.max(0, offset - 8), offset));
}

function scrubUserinfo(text: string): string {
  return text.replace(
    USERINFO,
    (all: string, slashes: string, info: string, at: string, offset: number) => {
      const colon = /:|%3A/i.exec(info);
      if (colon) return `${slashes}${info.slice(0, colon.index + colon[0].length)}${SECRET}${at}`;
      // A user name alone is a token for http(s) hosts (`https://<token>@github.com`).
      return afterSshScheme(text, offset) ? all : `${slashes}${SECRET}${at}`;
    },
  );
}

/** Credentials in free text (log messages, error messages, URLs, specs) replaced by `[secret]`. */
export function scrubUrl(text: string): string {
  if (!/[@=]|%40|%3D|Bearer|Basic|gh|glpat/i.test(text)) return text;
  return scrubUserinfo(text)
    .replace(QUERY_SECRETS, `$1${SECRET}`)
    .replace(
      KNOWN_TOKENS,
      (_all: string, scheme: string | undefined) => `${scheme ?? ''}${SECRET}`,
    );
}

/** Key names whose values are secrets (any case, `-`/`_`/camelCase alike). */
const SECRET_KEY =
  /(?:password|passwd|passphrase|secrets?|tokens?|credentials?|auths?|authorization|cookie|apikey|api_key|privatekey|private_key)$/;

/** Keys that end like secrets but name them (a Kubernetes Secret's name is no secret). */
const SECRET_NAMES = new Set(['push_secret', 'image_pull_secrets', 'allow_secret_gist']);

export function isSecretKey(key: string): boolean {
  const k = key.replace(/-/g, '_').toLowerCase();
  return !SECRET_NAMES.has(k) && SECRET_KEY.test(k);
}

const MAX_DEPTH = 12;

interface Walk {
  seen: WeakSet<object>;
  depth: number;
  /** Inside a secret-named key: every string is a secret. */
  secret: boolean;
}

function scrubError(err: Error, w: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name || err.constructor.name };
  out.message = scrubUrl(err.message);
  if (err.stack) out.stack = scrubUrl(err.stack);
  if (err.cause !== undefined) out.cause = walk(err.cause, w);
  for (const [k, v] of Object.entries(err)) if (!(k in out)) out[k] = walkField(k, v, w);
  return out;
}

function walkField(key: string, value: unknown, w: Walk): unknown {
  return walk(value, { ...w, depth: w.depth + 1, secret: w.secret || isSecretKey(key) });
}

function walk(value: unknown, w: Walk): unknown {
  if (typeof value === 'string') {
    if (w.secret) return value === '' ? value : SECRET;
    return scrubUrl(value);
  }
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (w.seen.has(value)) return '[Circular]';
  if (w.depth >= MAX_DEPTH) return '[…]';
  w.seen.add(value);
  try {
    if (value instanceof Error) return scrubError(value, w);
    if (Array.isArray(value)) return value.map((v) => walk(v, { ...w, depth: w.depth + 1 }));
    if (value instanceof Map) return walk(Object.fromEntries(value), w);
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return walk((json as () => unknown).call(value), w);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walkField(k, v, w);
    return out;
  } finally {
    w.seen.delete(value);
  }
}

/** A copy of `value` with secrets replaced at any depth (see the file comment). */
export function scrubSecrets<T>(value: T): T {
  return walk(value, { seen: new WeakSet(), depth: 0, secret: false }) as T;
}
