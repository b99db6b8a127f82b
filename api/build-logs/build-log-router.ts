import { Router, type Request } from 'express';
import type { AppDeps } from '../app-deps.js';
import type { RepoReaders } from '../credentials/repo-readers.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import { createClientLimits } from '../rate-limit/client-limits.js';
import { countRequest } from '../rate-limit/count-request.js';
import { buildNameParam } from './build-name-param.js';
import { LOG_REALM, checkLogAccess, logHidden } from './log-access.js';
import { buildLogText, readBuildLog, type BuildLogDeps } from './read-build-log.js';

export type BuildLogRouterDeps = Pick<AppDeps, 'config' | 'log' | 'redis' | 'limits'> &
  Omit<BuildLogDeps, 'redis'> & { readers?: RepoReaders };

function wantsText(req: Request): boolean {
  if (req.query.format === 'text') return true;
  if (req.query.format !== undefined && req.query.format !== 'json') {
    throw new HttpError(400, 'format must be "json" or "text"');
  }
  return (
    req.query.format === undefined &&
    req.accepts(['application/json', 'text/plain']) === 'text/plain'
  );
}

/**
 * `GET /api/builds/<build name>/log[?format=text]`: the whole kept log of a build, live
 * or finished (until `BuildQueue.event_history_ttl` after it ended), as JSON lines with
 * the job's state, or as plain text. 400 for a malformed name, 404 for a build not in
 * the history. Counted against `RateLimiter.builds_api_limit`, like `/api/builds`.
 */
export function buildLogRouter(deps: BuildLogRouterDeps): Router {
  const router = Router();
  const limiter = (deps.limits ?? createClientLimits(deps.redis, deps.config)).buildsApi;
  const log = deps.log.child({ component: 'build-log-api' });
  router.get('/api/builds/:build/log', async (req, res) => {
    const cors = deps.config.BinderHub.cors_allow_origin;
    if (cors && deps.config.BuildQueue.build_log_access === 'public') {
      res.setHeader('access-control-allow-origin', cors);
    }
    try {
      const build = buildNameParam(req.params.build);
      const text = wantsText(req);
      checkLogAccess(req, deps.config);
      const refused = await countRequest(limiter, req, 'requests to /api/builds', log, res);
      if (refused) {
        res.setHeader('retry-after', String(refused.retryAfter));
        throw new HttpError(429, refused.message);
      }
      const found = (await logHidden(req, deps.config, deps, build))
        ? undefined
        : await readBuildLog(deps, build);
      if (!found) {
        throw new HttpError(
          404,
          `No build ${build} in the history: it never ran here, or its log expired (BuildQueue.event_history_ttl)`,
        );
      }
      res.setHeader('cache-control', 'no-store');
      if (text) {
        res.type('text/plain; charset=utf-8').send(buildLogText(found));
        return;
      }
      res.json(found);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 401) res.setHeader('www-authenticate', LOG_REALM);
      sendJsonError(res, err.status, err.message);
    }
  });
  return router;
}
