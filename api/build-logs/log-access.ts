import type { Request } from 'express';
import type { Config } from '../../queue/config/index.js';
import { privateBuildRepo } from '../credentials/private-builds.js';
import type { RepoReaders } from '../credentials/repo-readers.js';
import { parseAuthorization, roleFor } from '../dashboard/dashboard-credentials.js';
import type { BuildLogDeps } from './read-build-log.js';
import { HttpError } from '../http/http-error.js';

/** The `WWW-Authenticate` of a refused log request (a browser then asks for the token). */
export const LOG_REALM = 'Basic realm="binderhub-ts build logs", charset="UTF-8"';

/**
 * Who may read past build logs (`BuildQueue.build_log_access`): `public` — anyone, as
 * anyone may follow a build's log live on `/build` — or `operators` — a dashboard token
 * (viewer or admin), as a Bearer token or the basic-auth password. Throws a 401 otherwise.
 */
export function checkLogAccess(
  req: Request,
  config: Pick<Config, 'BuildQueue' | 'Dashboard'>,
): void {
  if (config.BuildQueue.build_log_access === 'public') return;
  const creds = parseAuthorization(req.get('authorization'));
  if (creds && roleFor(creds.secret, config.Dashboard)) return;
  throw new HttpError(
    401,
    creds
      ? 'Wrong token: build logs here are for operators (a Dashboard token)'
      : 'Build logs here are for operators: send "Authorization: Bearer <Dashboard token>" (or basic auth with the token as password)',
  );
}

/**
 * A private repository's build (built with a user's own token), asked for by someone
 * who is neither an operator (Dashboard token) nor a user whose own account can read
 * the repository: its log is answered as absent.
 */
export async function logHidden(
  req: Request,
  config: Pick<Config, 'Dashboard'>,
  deps: Pick<BuildLogDeps, 'redis' | 'keys'> & { readers?: RepoReaders },
  build: string,
): Promise<boolean> {
  const repo = await privateBuildRepo(deps, build);
  if (!repo) return false;
  const creds = parseAuthorization(req.get('authorization'));
  if (creds && roleFor(creds.secret, config.Dashboard)) return false;
  return !(deps.readers && (await deps.readers(req, repo)));
}
