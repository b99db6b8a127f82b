import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import type { PushLog } from '../webhooks/push-log.js';
import { listBuilds } from './list-builds.js';
import { parseRepoQuery } from './repo-query.js';

export type BuildsApiDeps = Pick<AppDeps, 'config' | 'buildQueue'> & { pushLog: PushLog };

/** Finished jobs looked at per state; the queue keeps `BuildQueue.keep_*` of them. */
const SCAN = 2000;

function limitParam(raw: unknown): number {
  if (raw === undefined) return 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new HttpError(400, 'limit must be an integer from 1 to 100');
  }
  return n;
}

/**
 * `GET /api/builds?repo=<owner/repo or URL>[&limit=N]`: a repository's recent builds
 * (trigger launch or push, commit, state, timings) and what its recent pushes led to.
 */
export function buildsApiRouter(deps: BuildsApiDeps): Router {
  const router = Router();
  router.get('/api/builds', async (req, res) => {
    const cors = deps.config.BinderHub.cors_allow_origin;
    if (cors) res.setHeader('access-control-allow-origin', cors);
    try {
      const repo = typeof req.query.repo === 'string' ? req.query.repo : '';
      if (!repo) throw new HttpError(400, 'Missing query parameter repo=<owner/repo or URL>');
      const limit = limitParam(req.query.limit);
      const query = parseRepoQuery(repo, {
        github: deps.config.GitHubRepoProvider.hostname,
        gitlab: deps.config.GitLabRepoProvider.hostname,
      });
      const builds = await listBuilds(deps.buildQueue.queue, query, { limit, scan: SCAN });
      const pushes =
        query.provider && query.slug
          ? await deps.pushLog.recent(query.provider, query.slug, limit)
          : [];
      res.json({ repo: query.slug ?? query.url, builds, pushes });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sendJsonError(res, err.status, err.message);
    }
  });
  return router;
}
