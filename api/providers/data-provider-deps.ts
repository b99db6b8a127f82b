import type { z } from 'zod';
import type { ConditionalCache } from './conditional-cache.js';
import { failureFor, jsonOf } from './provider-answers.js';
import type { ProviderHttp } from './provider-http.js';
import type { ResolutionCache, ResolutionOutcome } from './resolution-cache.js';

/** What a data provider (Zenodo, Figshare, …) resolves with; one set per provider prefix. */
export interface DataProviderDeps {
  http: ProviderHttp;
  cache: ResolutionCache;
  /** Each resolution's outcome (the `binderhub_ts_ref_resolutions_total` metric). */
  onOutcome?: (outcome: ResolutionOutcome) => void;
}

const NOT_FOUND = new Set([404, 410]);

/**
 * The target of a DOI: `<resolver><doi>` with its redirects followed (each hop checked
 * by the URL policy), headers only. Null when the DOI or its target does not exist.
 */
export async function resolveDoi(
  http: ProviderHttp,
  service: string,
  resolverUrl: string,
  doi: string,
  signal?: AbortSignal,
): Promise<URL | null> {
  const answer = await http.follow(new URL(`${resolverUrl}${doi}`), { signal, readBody: false });
  if (NOT_FOUND.has(answer.status)) return null;
  if (answer.status < 200 || answer.status > 299) throw failureFor(service, answer);
  return answer.url;
}

/**
 * JSON metadata from `url` (redirects followed), checked against `schema` and reduced by
 * `pick`; null for 404/410. With `conditional`, asked with the validators of the last
 * answer, and a 304 reuses what was picked then.
 */
export async function fetchMetadata<S, T>(
  http: ProviderHttp,
  service: string,
  url: URL,
  read: { schema: z.ZodType<S>; pick: (data: S) => T; conditional?: ConditionalCache<T> },
  signal?: AbortSignal,
): Promise<T | null> {
  const key = url.href;
  const headers = { accept: 'application/json', ...read.conditional?.headersFor(key) };
  const answer = await http.follow(url, { signal, headers });
  const kept = read.conditional?.notModified(key, answer);
  if (kept !== undefined) return kept;
  if (NOT_FOUND.has(answer.status)) return null;
  if (answer.status !== 200) throw failureFor(service, answer);
  const value = read.pick(jsonOf(service, answer, read.schema));
  read.conditional?.keep(key, answer, value);
  return value;
}
