import { trimTrailingSlashes } from '../http/trim-slashes.js';

/** `/build/<prefix>/<spec>`, prefix without `/`, spec non-empty (anchored: linear). */
const BUILD_PATH = /^\/build\/([^/]+)\/(.+)$/;

/**
 * Prefix and raw (still percent-encoded) spec of `/build/<prefix>/<spec>`, trailing `/`
 * removed. Parsed by hand: Express would reject malformed percent-encoding with a bare
 * 400 before a `failed` event could say what is wrong.
 */
export function parseBuildPath(path: string): { prefix: string; spec: string } | undefined {
  const m = BUILD_PATH.exec(path);
  return m ? { prefix: m[1]!, spec: trimTrailingSlashes(m[2]!) } : undefined;
}
