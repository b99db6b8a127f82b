import type { Request, Response } from 'express';

/** The request's cookies by name (the first of each name wins; values not decoded twice). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export function cookieOf(req: Request, name: string): string | undefined {
  return parseCookies(req.get('cookie')).get(name);
}

export interface CookieOptions {
  /** `Secure`: 'auto' = when the request came over https (`req.secure` honours trusted proxies). */
  secure: 'auto' | boolean;
  /** Cookie path (the api's `base_url`). */
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/**
 * Sets a cookie that scripts cannot read (`HttpOnly`) and that other sites' requests
 * carry only on top-level navigations (`SameSite=Lax`: a Binder link on another site
 * still finds the user logged in; a cross-site form or fetch does not).
 */
export function setCookie(
  req: Request,
  res: Response,
  name: string,
  value: string,
  o: CookieOptions,
): void {
  const secure = o.secure === 'auto' ? req.secure : o.secure;
  const attrs = [
    `${name}=${value}`,
    `Path=${o.path}`,
    `Max-Age=${o.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ];
  res.append('set-cookie', attrs.join('; '));
}
