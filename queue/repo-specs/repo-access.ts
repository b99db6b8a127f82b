import type { Config } from '../config/index.js';
import type { JobToken } from '../credentials/job-token.js';
import { checkRepoHost, type HostLookup } from '../url-policy/check-repo-host.js';
import { gitAccess, type GitAccess } from '../url-policy/git-access.js';
import { PrivateHostAllowList } from '../url-policy/private-host-allow-list.js';
import { gitCredentialsFor } from './git-credentials.js';
import type { RepoSpec } from './repo-spec.js';

/**
 * Checks the repository's host under the URL policy (resolved once, every address
 * checked against the block list and `GitRepoProvider.allowed_private_hosts`) and
 * returns how git may reach it. The gh, gist and gl hosts come from the operator's
 * configuration and are allowed even on private addresses (e.g. GitHub Enterprise).
 * `user`: the launching user's own token (their private repository). Throws UrlPolicyError.
 */
export async function repoAccessFor(
  config: Config,
  spec: RepoSpec,
  lookupHost?: HostLookup,
  user?: JobToken,
): Promise<GitAccess> {
  const url = new URL(spec.repoUrl());
  const entries = [...config.GitRepoProvider.allowed_private_hosts];
  if (spec.prefix !== 'git') entries.push(url.host);
  const target = await checkRepoHost(url, new PrivateHostAllowList(entries), lookupHost);
  return gitAccess(target, gitCredentialsFor(config, spec, user));
}
