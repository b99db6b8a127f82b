import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import { countRequest } from '../rate-limit/count-request.js';
import type { PushLog } from '../webhooks/push-log.js';
import { listBuilds, parseCursor } from './list-builds.js';
import { parseRepoQuery } from './repo-query.js';

export type BuildsApiDeps = Pick<AppDeps, 'config' | 'buildQueue' | 'log' | 'redis' | 'limits'> & {
  pushLog: PushLog;
  /** Jobs read per request at most (tests make it small). */
  scanPerPage?: number;
};

/** Jobs read per request: bounded work whatever the queue holds. */
const SCAN_PER_PAGE = 500;

function limitParam(raw: unknown): number {
  if (raw === undefined) return 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new HttpError(400, 'limit must be an integer from 1 to 100');
  }
  return n;
}

/**
 * `GET /api/builds?repo=<owner/repo or URL>[&limit=N][&cursor=C]`: a page of a
 * repository's builds (trigger launch or push, commit, state, timings), and on the first
 * page what its recent pushes led to. Each request reads at most `scanPerPage` jobs of
 * the queue; `next` is the cursor of the following page (null at the end). Counted
 * against `RateLimiter.builds_api_limit` per client.
 */
export function buildsApiRouter(deps: BuildsApiDeps): Router {
  const router = Router();
  const limiter = deps.limits.buildsApi;
  const log = deps.log.child({ component: 'builds-api' });
  router.get('/api/builds', async (req, res) => {
    const cors = deps.config.BinderHub.cors_allow_origin;
    if (cors) res.setHeader('access-control-allow-origin', cors);
    try {
      const refused = await countRequest(limiter, req, 'requests to /api/builds', log, res);
      if (refused) {
        res.setHeader('retry-after', String(refused.retryAfter));
        throw new HttpError(429, refused.message);
      }
      const repo = typeof req.query.repo === 'string' ? req.query.repo : '';
      if (!repo) throw new HttpError(400, 'Missing query parameter repo=<owner/repo or URL>');
      const limit = limitParam(req.query.limit);
      const cursor = parseCursor(req.query.cursor);
      const query = parseRepoQuery(repo, {
        github: deps.config.GitHubRepoProvider.hostname,
        gitlab: deps.config.GitLabRepoProvider.hostname,
      });
      const scan = deps.scanPerPage ?? SCAN_PER_PAGE;
      const page = await listBuilds(deps.buildQueue, query, { limit, scan, cursor });
      const pushes =
        query.provider && query.slug && !cursor
          ? await deps.pushLog.recent(query.provider, query.slug, limit)
          : [];
      res.json({ repo: query.slug ?? query.url, builds: page.builds, pushes, next: page.next });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sendJsonError(res, err.status, err.message);
    }
  });
  return router;
}
