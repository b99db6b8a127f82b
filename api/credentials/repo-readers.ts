import type { Request } from 'express';
import type { HubLogin } from '../auth/create-hub-login.js';
import type { UserCredentials } from './create-user-credentials.js';
import type { SiteRepo } from './repo-access-checks.js';

/** Whether the request's hub user can read `repo` with their own connected account. */
export type RepoReaders = (req: Request, repo: SiteRepo) => Promise<boolean>;

/** The check of the launch flow (cached per user and repository), for requests outside it. */
export function repoReaders(login: HubLogin, credentials: UserCredentials): RepoReaders {
  return async (req, repo) => {
    const user = await login.auth.userFor(req);
    if (!user || !repo.path) return false;
    const token = await credentials.tokens.tokenFor(user, repo.provider).catch(() => undefined);
    if (!token) return false;
    const seen = await credentials.checks.check(user, repo, token.accessToken).catch(() => null);
    return seen?.readable === true;
  };
}
