import { Router, type Request } from 'express';
import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import {
  parseAuthorization,
  roleFor,
  type DashboardRole,
} from '../dashboard/dashboard-credentials.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import { CleanerBusyError, type RegistryCleaner } from './registry-cleaner.js';

export const CLEANER_API_PATH = '/api/registry/clean';

export interface CleanerRouterDeps {
  config: Pick<Config, 'Dashboard' | 'RegistryCleaner'>;
  cleaner?: Pick<RegistryCleaner, 'run' | 'lastReport'>;
  log: Logger;
}

/** The dashboard role of the request's token; 401 without one. POST needs a Bearer token (no browser sends one by itself). */
function roleOf(req: Request, config: CleanerRouterDeps['config']): DashboardRole {
  const creds = parseAuthorization(req.get('authorization'));
  if (creds && req.method === 'POST' && creds.scheme !== 'bearer') {
    throw new HttpError(401, 'Send the admin token as "Authorization: Bearer <token>"');
  }
  const role = creds ? roleFor(creds.secret, config.Dashboard) : undefined;
  if (!role) {
    throw new HttpError(
      401,
      creds
        ? 'Wrong token'
        : 'Authentication required: send "Authorization: Bearer <Dashboard.admin_token>"',
    );
  }
  return role;
}

function dryRunParam(raw: unknown, configured: boolean): boolean {
  if (raw === undefined) return configured;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return configured;
  throw new HttpError(400, 'dry_run must be true or false');
}

/**
 * `POST /api/registry/clean[?dry_run=true]` (Dashboard.admin_token): run the registry
 * cleaner now and answer its report; 409 while a run is going on. `GET` (admin or viewer
 * token): the last report. 404 while the cleaner is off.
 */
export function cleanerRouter(d: CleanerRouterDeps): Router {
  const router = Router();
  const log = d.log.child({ component: 'registry-cleaner-api' });
  router.all(CLEANER_API_PATH, async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'POST') {
        res.setHeader('allow', 'GET, POST');
        throw new HttpError(405, 'GET the last report, or POST to run the cleaner');
      }
      const role = roleOf(req, d.config);
      if (!d.cleaner) {
        throw new HttpError(
          404,
          'The registry cleaner is off: set RegistryCleaner.max_age_days (and BinderHub.use_registry)',
        );
      }
      if (req.method === 'GET') {
        res.setHeader('cache-control', 'no-store');
        res.json({ report: (await d.cleaner.lastReport()) ?? null });
        return;
      }
      if (role !== 'admin')
        throw new HttpError(
          403,
          'Read-only token: running the cleaner needs Dashboard.admin_token',
        );
      const dryRun = dryRunParam(req.query.dry_run, d.config.RegistryCleaner.dry_run);
      log.info({ dryRun }, 'registry cleaner run asked for');
      res.json({ report: await d.cleaner.run('api', dryRun) });
    } catch (err) {
      if (err instanceof CleanerBusyError) return sendJsonError(res, 409, err.message);
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 401) res.setHeader('www-authenticate', 'Bearer');
      sendJsonError(res, err.status, err.message);
    }
  });
  return router;
}
