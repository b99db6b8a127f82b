import type { Config } from '../config/index.js';
import { PREFIX_OF, type JobToken } from '../credentials/job-token.js';
import { credentialLines } from '../url-policy/credential-helper.js';
import { hostEntryMatches, parseHostEntry } from '../url-policy/host-entry.js';
import type { RepoSpec } from './repo-spec.js';

/** Upstream's credentials from a GitHub token (with the OAuth client id as user name if set). */
function gitHubTokenCredentials(config: Config): string | undefined {
  const { client_id: id, access_token: token } = config.GitHubRepoProvider;
  if (!token) return undefined;
  return id ? `username=${id}\\npassword=${token}` : `username=${token}\\npassword=x-oauth-basic`;
}

function configured(config: Config, spec: RepoSpec): string | undefined {
  switch (spec.prefix) {
    case 'gh':
      return config.GitHubRepoProvider.git_credentials || gitHubTokenCredentials(config);
    case 'gist':
      // Gists live on gist.github.com: a GitHub Enterprise token never goes there.
      return (
        config.GistRepoProvider.git_credentials ||
        (config.GitHubRepoProvider.hostname === 'github.com'
          ? gitHubTokenCredentials(config)
          : undefined)
      );
    case 'gl': {
      const gl = config.GitLabRepoProvider;
      return (
        gl.git_credentials ||
        (gl.private_token ? `username=binderhub\\npassword=${gl.private_token}` : undefined)
      );
    }
    case 'git': {
      const git = config.GitRepoProvider;
      const url = new URL(spec.repoUrl());
      const forHost = git.git_credentials_hosts
        .map(parseHostEntry)
        .some((e) => e !== undefined && hostEntryMatches(e, url));
      return forHost ? git.git_credentials || undefined : undefined;
    }
    default:
      return undefined;
  }
}

/** The user names GitHub and GitLab document for cloning over https with an OAuth token. */
const TOKEN_USER: Record<JobToken['provider'], string> = {
  github: 'x-access-token',
  gitlab: 'oauth2',
};

/** A user's own token (a private repository of theirs) as credential lines for its site. */
function userTokenLines(spec: RepoSpec, user: JobToken): string {
  if (PREFIX_OF[user.provider] !== spec.prefix) {
    throw new Error(`a ${user.provider} token is not for ${spec.prefix} repositories`);
  }
  return `username=${TOKEN_USER[user.provider]}\npassword=${user.token}`;
}

/**
 * The git credentials for building `spec`, as credential lines: the launching user's
 * own token when the job carries one (their private repository), else those written
 * into the repository URL, else the provider's configured ones (`<Provider>.git_credentials`, or
 * the GitHub token / GitLab private token as upstream derives them; for `git`, only for
 * the hosts in `GitRepoProvider.git_credentials_hosts`). They are for the repository's
 * host only: `gitAccess` scopes them to it.
 */
export function gitCredentialsFor(
  config: Config,
  spec: RepoSpec,
  user?: JobToken,
): string | undefined {
  if (user) return userTokenLines(spec, user);
  const fromUrl = spec.urlCredentials();
  if (fromUrl) return fromUrl;
  const text = configured(config, spec);
  return text ? credentialLines(text) : undefined;
}
