import type { Config } from '../config/index.js';

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** Where GitHub's site (web pages, git, OAuth) is reached: `GitHubRepoProvider.base_url`, else `https://<hostname>/`. */
export function gitHubSite(config: Pick<Config, 'GitHubRepoProvider'>): string {
  const gh = config.GitHubRepoProvider;
  return withSlash(gh.base_url || `https://${gh.hostname}/`);
}

/** Where GitLab (web, git, `api/v4/`, OAuth) is reached: `GitLabRepoProvider.base_url`, else `https://<hostname>/`. */
export function gitLabSite(config: Pick<Config, 'GitLabRepoProvider'>): string {
  const gl = config.GitLabRepoProvider;
  return withSlash(gl.base_url || `https://${gl.hostname}/`);
}

/** GitHub's REST API: `GitHubRepoProvider.api_base_path`, else api.github.com or GitHub Enterprise's `/api/v3`. */
export function gitHubApiUrl(config: Pick<Config, 'GitHubRepoProvider'>): string {
  const gh = config.GitHubRepoProvider;
  if (gh.api_base_path) return gh.api_base_path.replace(/\/+$/, '');
  return gh.hostname === 'github.com' ? 'https://api.github.com' : `https://api.${gh.hostname}`;
}
