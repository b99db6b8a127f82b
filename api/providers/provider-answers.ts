import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { HttpAnswer } from './provider-http.js';
import { ResolveError } from './repo-provider.js';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Seconds until a rate limit resets (Retry-After, or X-RateLimit-Reset as an epoch), if said. */
export function retryAfterSeconds(
  headers: IncomingHttpHeaders,
  now = Date.now(),
): number | undefined {
  const retry = header(headers, 'retry-after');
  if (retry !== undefined) {
    const seconds = /^\d+$/.test(retry.trim()) ? Number(retry) : (Date.parse(retry) - now) / 1000;
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  }
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (reset > 0) return Math.max(0, Math.ceil(reset - now / 1000));
  return undefined;
}

/** Rate limited: 429, or 403 with no requests remaining (as GitHub and others signal it). */
export function isRateLimited(answer: HttpAnswer): boolean {
  return (
    answer.status === 429 ||
    (answer.status === 403 && header(answer.headers, 'x-ratelimit-remaining') === '0')
  );
}

/** The error for an answer that is neither a success nor "not found", for the user. */
export function failureFor(service: string, answer: HttpAnswer): ResolveError {
  const where = `${answer.url.host}`;
  if (isRateLimited(answer)) {
    const seconds = retryAfterSeconds(answer.headers);
    const when =
      seconds === undefined ? 'later' : `in ${Math.max(1, Math.ceil(seconds / 60))} minutes`;
    return new ResolveError(
      `${service} rate limit exceeded (HTTP ${answer.status} from ${where}). Try again ${when}.`,
    );
  }
  if (answer.status >= 500) {
    return new ResolveError(
      `${service} is not working right now (HTTP ${answer.status} from ${where}). Try again later.`,
    );
  }
  return new ResolveError(`${service} answered HTTP ${answer.status} for ${answer.url.href}`);
}

/**
 * The answer's JSON, checked against `schema`: malformed JSON or an unexpected shape is a
 * ResolveError naming the service and the first problem.
 */
export function jsonOf<T>(service: string, answer: HttpAnswer, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch (err) {
    throw new ResolveError(
      `${service} sent malformed JSON (${answer.url.href}): ${(err as Error).message}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ResolveError(
      `${service} sent an unexpected answer (${answer.url.href}): ${at}${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC, no zone, as HydroShare and CKAN write it) → epoch seconds. */
export function epochSeconds(service: string, text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(text);
  const ms = m ? Date.parse(`${m[1]}Z`) : NaN;
  if (!Number.isFinite(ms)) throw new ResolveError(`${service} sent an unexpected date "${text}"`);
  return Math.floor(ms / 1000);
}
