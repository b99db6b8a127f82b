import type { RequestHandler } from 'express';
import { sendJsonError } from '../http/json-error.js';
import type { HubAuth } from './hub-auth.js';
import type { LoginFlow } from './login-flow.js';

/** What the web UI serves to anyone: scripts, styles and badges (README images). */
const PUBLIC = /^\/(static\/|badge\.svg$|badge_logo\.svg$)/;

/** Stashes the hub user on `res.locals.hubUser` for the routes after it. */
export function hubUserOf(locals: Record<string, unknown>): string | undefined {
  return typeof locals.hubUser === 'string' ? locals.hubUser : undefined;
}

/** UI pages with `BinderHub.auth_enabled`: logged-out browsers go to the hub's login, then back. */
export function requireLoginForPages(auth: HubAuth, login: LoginFlow): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || PUBLIC.test(req.path)) return next();
    const user = await auth.userFor(req);
    if (user) {
      res.locals.hubUser = user;
      return next();
    }
    await login.start(req, res, req.originalUrl);
  };
}

/** JSON APIs with `BinderHub.auth_enabled`: 403 without a login (no redirect for scripts). */
export function requireLoginForApi(auth: HubAuth): RequestHandler {
  return async (req, res, next) => {
    const user = await auth.userFor(req);
    if (!user) return sendJsonError(res, 403, 'Forbidden: log in through JupyterHub first');
    res.locals.hubUser = user;
    next();
  };
}
