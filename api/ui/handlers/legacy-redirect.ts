import type { RequestHandler } from 'express';
import { trimSlashes } from '../../http/trim-slashes.js';

/** Python's `urllib.parse.quote_plus` (what tornado's `url_concat` uses): space → `+`. */
function quotePlus(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(c)) return c;
    if (c === ' ') return '+';
    return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const LEGACY = /^\/repo\/([^/]+)\/([^/]+)(\/.*)?$/;

/**
 * Where a legacy `/repo/<user>/<repo>[/<path>]` link goes (upstream's
 * `LegacyRedirectHandler`): `/v2/gh/<user>/<repo>/master`, plus `?urlpath=<path>` when
 * the rest is not just slashes. Like upstream, the Location is NOT prefixed with
 * `base_url`. Null when the path is not a legacy link.
 */
export function legacyRedirectLocation(path: string): string | null {
  const m = LEGACY.exec(path);
  if (!m) return null;
  const [, user, repo, rest] = m;
  const location = `/v2/gh/${user}/${repo}/master`;
  const urlPath = rest === undefined ? '' : decodeSafely(rest);
  if (trimSlashes(urlPath) === '') return location;
  return `${location}?urlpath=${quotePlus(urlPath)}`;
}

/** `GET /repo/<user>/<repo>[/<path>]`: a 302 to the `/v2/gh/…` link. */
export function legacyRedirectHandler(): RequestHandler {
  return (req, res, next) => {
    const location = legacyRedirectLocation(req.path);
    if (location === null) return next();
    res.redirect(302, location);
  };
}
