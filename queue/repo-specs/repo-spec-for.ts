import type { Config } from '../config/index.js';
import { GistSpec } from './gist-spec.js';
import { GitHubSpec } from './github-spec.js';
import { GitLabSpec } from './gitlab-spec.js';
import { GitSpec } from './git-spec.js';
import type { RepoSpec } from './repo-spec.js';

/**
 * The RepoSpec of `<prefix>/<spec>` under this configuration, or undefined for an
 * unknown prefix. Throws SpecError for a malformed spec.
 */
export function repoSpecFor(config: Config, prefix: string, spec: string): RepoSpec | undefined {
  switch (prefix) {
    case 'gh':
      return new GitHubSpec(spec, config.GitHubRepoProvider.hostname);
    case 'gist':
      return new GistSpec(spec);
    case 'gl':
      return new GitLabSpec(spec, config.GitLabRepoProvider.hostname);
    case 'git':
      return new GitSpec(spec, config.GitRepoProvider.allowed_protocols);
    default:
      return undefined;
  }
}
