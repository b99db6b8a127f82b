import type { Config } from '../queue/config/index.js';

/**
 * `GIT_CREDENTIAL_ENV` for repo2docker, from the runner's own configuration (job data
 * never carries secrets). Upstream's formats, with a literal `\n` between the lines.
 */
export function gitCredentialsFor(config: Config, provider: string): string | undefined {
  const configured: Record<string, string> = {
    gh: config.GitHubRepoProvider.git_credentials,
    gist: config.GistRepoProvider.git_credentials,
    gl: config.GitLabRepoProvider.git_credentials,
    git: config.GitRepoProvider.git_credentials,
  };
  if (configured[provider]) return configured[provider];
  if (provider === 'gh' && config.GitHubRepoProvider.access_token) {
    const { client_id: id, access_token: token } = config.GitHubRepoProvider;
    return id ? `username=${id}\\npassword=${token}` : `username=${token}\\npassword=x-oauth-basic`;
  }
  if (provider === 'gl' && config.GitLabRepoProvider.private_token) {
    return `username=binderhub\\npassword=${config.GitLabRepoProvider.private_token}`;
  }
  return undefined;
}
