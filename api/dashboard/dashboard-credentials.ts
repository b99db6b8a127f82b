import { createHash, timingSafeEqual } from 'node:crypto';

export type DashboardRole = 'admin' | 'viewer';

/** Credentials from an `Authorization` header. */
export interface DashboardCredentials {
  scheme: 'bearer' | 'basic';
  /** Basic auth's user name (any; kept for the audit log). */
  user?: string;
  secret: string;
}

/** Parses `Bearer <token>` or `Basic base64(user:token)`; anything else is undefined. */
export function parseAuthorization(header: string | undefined): DashboardCredentials | undefined {
  if (!header) return undefined;
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return { scheme: 'bearer', secret: value };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { scheme: 'basic', user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
function same(given: string, expected: string): boolean {
  return expected !== '' && timingSafeEqual(digest(given), digest(expected));
}

/** The role a secret grants: the admin token, the viewer token, or none. */
export function roleFor(
  secret: string,
  tokens: { admin_token: string; viewer_token: string },
): DashboardRole | undefined {
  const admin = same(secret, tokens.admin_token);
  const viewer = same(secret, tokens.viewer_token);
  if (admin) return 'admin';
  return viewer ? 'viewer' : undefined;
}
