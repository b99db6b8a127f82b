import type { IncomingHttpHeaders } from 'node:http';

/**
 * The origin a build token is bound to (upstream's `token_origin`): the host[:port] of the
 * `Origin` header when present, else the `Host` header, else ''.
 */
export function tokenOrigin(headers: IncomingHttpHeaders): string {
  const origin = headers.origin;
  if (origin !== undefined) {
    try {
      return new URL(origin).host;
    } catch {
      return '';
    }
  }
  return headers.host ?? '';
}
