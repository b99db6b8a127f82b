import { Router, type Request } from 'express';
import type { Config } from '../../queue/config/index.js';
import { roleFor } from '../dashboard/dashboard-credentials.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import { readSpecBody } from '../webhooks/spec-body.js';
import { requestRebuild, type RebuildDeps } from './request-rebuild.js';

export const REBUILD_API_PATH = '/api/rebuilds';

/** `Authorization: Bearer <Dashboard.admin_token>`, compared in constant time. */
function authorize(req: Request, adminToken: string): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!match) {
    throw new HttpError(401, 'Authentication required: send "Authorization: Bearer <token>"');
  }
  if (roleFor(match[1]!, { admin_token: adminToken, viewer_token: '' }) !== 'admin') {
    throw new HttpError(401, 'Wrong token: use Dashboard.admin_token');
  }
}

/**
 * `POST /api/rebuilds` with `{"provider": "gh", "spec": "org/repo/HEAD"}` and the
 * dashboard's admin token: rebuilds the image the spec launches now, although it exists
 * (see requestRebuild). 202 with what was queued; 409 while an ordinary build of the
 * image runs; 404 while `Dashboard.admin_token` is not set.
 */
export function rebuildApiRouter(d: RebuildDeps & { config: Pick<Config, 'Dashboard'> }): Router {
  const router = Router();
  router.post(REBUILD_API_PATH, async (req, res, next) => {
    const token = d.config.Dashboard.admin_token;
    if (!token) {
      return sendJsonError(res, 404, 'The rebuild API is off: set Dashboard.admin_token');
    }
    try {
      authorize(req, token);
      const body = await readSpecBody(req);
      const answer = await requestRebuild(d, body.provider, body.spec, 'api');
      res.status(202).json({ status: 202, ...answer });
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) return next(err);
      if (err.status === 401) res.setHeader('www-authenticate', 'Bearer');
      if (err.status === 413) res.setHeader('connection', 'close');
      sendJsonError(res, err.status, err.message);
    }
  });
  router.all(REBUILD_API_PATH, (_req, res) => {
    res.setHeader('allow', 'POST');
    sendJsonError(res, 405, 'Ask for a rebuild with POST');
  });
  return router;
}
