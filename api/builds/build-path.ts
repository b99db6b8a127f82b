import { trimTrailingSlashes } from '../http/trim-slashes.js';

/** `/build/<prefix>/<spec>`, prefix without `/`, spec non-empty (anchored: linear). */
const BUILD_PATH = /^\/build\/([^/]+)\/(.+)$/;

/**
 * The paths the `/build` route is asked about; it parses each with `parseBuildPath` (no
 * capture groups here: Express would percent-decode them and fail on a bad escape).
 */
export const BUILD_ROUTE = /^\/build\/./;

/** What a `/build` path names: parsed once, by the route, for every check after it. */
export interface BuildPath {
  prefix: string;
  /** Raw (percent-encoded) spec, trailing `/` removed. */
  spec: string;
}

/**
 * Prefix and raw (still percent-encoded) spec of `/build/<prefix>/<spec>`, trailing `/`
 * removed. Parsed by hand: Express would reject malformed percent-encoding with a bare
 * 400 before a `failed` event could say what is wrong.
 */
export function parseBuildPath(path: string): BuildPath | undefined {
  const m = BUILD_PATH.exec(path);
  return m ? { prefix: m[1]!, spec: trimTrailingSlashes(m[2]!) } : undefined;
}
