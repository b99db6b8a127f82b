import { GistProvider } from '../providers/gist-provider.js';
import { GitHubProvider } from '../providers/github-provider.js';
import { GitLabProvider } from '../providers/gitlab-provider.js';
import { GitProvider } from '../providers/git-provider.js';
import { SpecError, type RepoProvider } from '../providers/repo-provider.js';

/**
 * The repository a provider's spec names, as the push webhooks name it and as
 * `specFor(prefix, repo, ref)` expects it: `owner/repo` (GitHub), `user/gist-id` (Gist),
 * the project path (GitLab), the URL (git).
 */
export function providerRepo(provider: RepoProvider): string {
  if (provider instanceof GitHubProvider) return `${provider.user}/${provider.repo}`;
  if (provider instanceof GistProvider) return `${provider.user}/${provider.gistId}`;
  if (provider instanceof GitLabProvider) return provider.namespace;
  if (provider instanceof GitProvider) return provider.url;
  throw new SpecError(`Pre-builds of ${provider.name} repositories are not supported`);
}
