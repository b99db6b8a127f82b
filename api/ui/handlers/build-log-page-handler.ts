import type { RequestHandler } from 'express';
import type { Config } from '../../../queue/config/index.js';
import { buildNameParam } from '../../build-logs/build-name-param.js';
import { LOG_REALM, checkLogAccess, logHidden } from '../../build-logs/log-access.js';
import { readBuildLog, type BuildLogDeps } from '../../build-logs/read-build-log.js';
import type { RepoReaders } from '../../credentials/repo-readers.js';
import { HttpError } from '../../http/http-error.js';
import type { SiteSettings } from '../html/site-settings.js';
import { renderBuildLogPage } from '../pages/build-log-page.js';
import { renderErrorPage } from '../pages/error-page.js';
import { sendHtml } from './send-html.js';

/** `GET /logs/<build name>`: the build's log page; 400 / 401 / 404 as error pages. */
export function buildLogPageHandler(
  site: SiteSettings,
  config: Pick<Config, 'BuildQueue' | 'Dashboard'>,
  deps: BuildLogDeps & { readers?: RepoReaders },
): RequestHandler {
  return async (req, res) => {
    try {
      const build = buildNameParam(req.params.build);
      checkLogAccess(req, config);
      const hidden = await logHidden(req, config, deps, build);
      const log = hidden ? undefined : await readBuildLog(deps, build);
      if (!log) {
        throw new HttpError(
          404,
          `There is no log of ${build}: it never ran here, or its log expired.`,
        );
      }
      res.setHeader('cache-control', 'no-store');
      sendHtml(res, 200, renderBuildLogPage(site, log));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 401) res.setHeader('www-authenticate', LOG_REALM);
      sendHtml(res, err.status, renderErrorPage(site, err.status, err.message));
    }
  };
}
