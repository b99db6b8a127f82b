import { Router, type RequestHandler } from 'express';
import type { Config } from '../../queue/config/index.js';
import type { BuildQueue, Logger } from '../../queue/index.js';
import { sendJsonError } from '../http/json-error.js';
import { crossSiteRefusal } from './cross-site.js';
import { parseAuthorization, roleFor, type DashboardRole } from './dashboard-credentials.js';
import { poolPageHandler } from './pool-page.js';
import { rebuildPageRouter } from './rebuild-page.js';
import type { RebuildDeps } from '../rebuilds/request-rebuild.js';
import type { PoolStatusSource } from '../pool/pool-status.js';
import type { CleanerReport } from '../registry-cleaner/cleaner-report.js';
import { registryPageHandler } from './registry-page.js';

export interface DashboardDeps {
  config: Pick<Config, 'BinderHub' | 'Dashboard'>;
  /** The build queue (bull-board shows its jobs). */
  buildQueue: BuildQueue;
  log: Logger;
  /** The warm launch pool, shown at `<Dashboard.path>/pool` (when there is one). */
  pool?: PoolStatusSource;
  /** What forced rebuilds at `<Dashboard.path>/rebuild` need (no such page without). */
  rebuild?: RebuildDeps;
  /** The registry cleaner, whose last report is shown at `<Dashboard.path>/registry`. */
  registryCleaner?: { lastReport(): Promise<CleanerReport | undefined> };
}

const REALM = 'Basic realm="binderhub-ts queue dashboard", charset="UTF-8"';

const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** Dashboard responses: never cached, never framed, never shared cross-origin. */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.removeHeader('access-control-allow-origin');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
};

/**
 * The queue dashboard (bull-board) at `Dashboard.path`, never open: a Bearer token or
 * basic auth (any user, the token as password) selects the role. Viewers may only read;
 * admins may act, from the dashboard's own origin (or a script with a Bearer token).
 * With no token configured the path answers 404 saying how to turn it on.
 */
export function dashboardRouter(deps: DashboardDeps): Router {
  const router = Router();
  const cfg = deps.config.Dashboard;
  if (!cfg.admin_token && !cfg.viewer_token) {
    router.use(cfg.path, (_req, res) =>
      sendJsonError(
        res,
        404,
        'The queue dashboard is off. Set Dashboard.admin_token (full access) and/or Dashboard.viewer_token (read-only) to turn it on.',
      ),
    );
    return router;
  }
  const log = deps.log.child({ component: 'dashboard' });
  const basePath = `${deps.config.BinderHub.base_url.replace(/\/+$/, '')}${cfg.path}`;
  // bull-board (~15 MB once loaded) is imported when someone first opens the dashboard.
  const boards: Partial<Record<DashboardRole, Promise<RequestHandler>>> = {};
  const board = (role: DashboardRole): Promise<RequestHandler> =>
    (boards[role] ??= import('./dashboard-board.js').then(({ createBoard }) =>
      createBoard({
        buildQueue: deps.buildQueue,
        role,
        basePath,
        title: cfg.title,
        logBaseUrl: deps.config.BinderHub.enable_api_only_mode
          ? undefined
          : `${deps.config.BinderHub.base_url}logs/`,
        links: [
          ...(deps.pool ? [{ text: 'Launch pool', url: `${basePath}/pool` }] : []),
          ...(role === 'admin' && deps.rebuild
            ? [{ text: 'Rebuild an image', url: `${basePath}/rebuild` }]
            : []),
          ...(deps.registryCleaner
            ? [{ text: 'Registry cleaner', url: `${basePath}/registry` }]
            : []),
        ],
      }),
    ));

  const guard: RequestHandler = (req, res, next) => {
    const creds = parseAuthorization(req.get('authorization'));
    const role = creds ? roleFor(creds.secret, cfg) : undefined;
    if (!creds || !role) {
      if (creds) log.warn({ ip: req.ip, path: req.originalUrl }, 'dashboard: wrong credentials');
      res.setHeader('www-authenticate', REALM);
      return sendJsonError(
        res,
        401,
        creds
          ? 'Wrong dashboard credentials.'
          : 'Authentication required: send "Authorization: Bearer <token>", or log in with basic auth (any user name, the token as password).',
      );
    }
    if (!isRead(req.method)) {
      if (role !== 'admin') {
        return sendJsonError(
          res,
          403,
          'Read-only access: the viewer token cannot change jobs (Dashboard.admin_token can).',
        );
      }
      const refusal = crossSiteRefusal((n) => req.get(n), req.host, creds.scheme === 'bearer');
      if (refusal) {
        log.warn({ ip: req.ip, path: req.originalUrl, refusal }, 'dashboard: cross-site refused');
        return sendJsonError(res, 403, `Cross-site request refused: ${refusal}.`);
      }
      log.info(
        { user: creds.user ?? '(bearer)', method: req.method, path: req.originalUrl },
        'dashboard action',
      );
    }
    res.locals.dashboardRole = role;
    next();
  };

  router.use(cfg.path, securityHeaders, guard);
  if (deps.pool) router.get(`${cfg.path}/pool`, poolPageHandler(deps.pool, basePath));
  if (deps.rebuild) router.use(rebuildPageRouter(deps.rebuild, `${cfg.path}/rebuild`, basePath));
  if (deps.registryCleaner) {
    router.get(`${cfg.path}/registry`, registryPageHandler(deps.registryCleaner, basePath));
  }
  router.use(cfg.path, (req, res, next) => {
    board(res.locals.dashboardRole as DashboardRole).then((handle) => handle(req, res, next), next);
  });
  return router;
}
