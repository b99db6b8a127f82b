import type { Config } from '../config/index.js';
import { CkanSpec } from './ckan-spec.js';
import { DataverseSpec } from './dataverse-spec.js';
import { FigshareSpec } from './figshare-spec.js';
import { GistSpec } from './gist-spec.js';
import { GitHubSpec } from './github-spec.js';
import { GitLabSpec } from './gitlab-spec.js';
import { GitSpec } from './git-spec.js';
import { gitHubSite, gitLabSite } from './provider-sites.js';
import { HydroshareSpec } from './hydroshare-spec.js';
import type { RepoSpec } from './repo-spec.js';
import { swhArchiveUrl, SwhidSpec } from './swhid-spec.js';
import { ZenodoSpec } from './zenodo-spec.js';

/**
 * The RepoSpec of `<prefix>/<spec>` under this configuration, or undefined for an
 * unknown prefix. Throws SpecError for a malformed spec.
 */
export function repoSpecFor(config: Config, prefix: string, spec: string): RepoSpec | undefined {
  switch (prefix) {
    case 'gh':
      return new GitHubSpec(spec, config.GitHubRepoProvider.hostname, gitHubSite(config));
    case 'gist':
      return new GistSpec(spec);
    case 'gl':
      return new GitLabSpec(spec, config.GitLabRepoProvider.hostname, gitLabSite(config));
    case 'git':
      return new GitSpec(spec, config.GitRepoProvider.allowed_protocols);
    case 'zenodo':
      return new ZenodoSpec(spec);
    case 'figshare':
      return new FigshareSpec(spec);
    case 'hydroshare':
      return new HydroshareSpec(spec, config.HydroshareProvider.url);
    case 'dataverse':
      return new DataverseSpec(spec);
    case 'ckan':
      return new CkanSpec(spec);
    case 'swhid':
      return new SwhidSpec(spec, swhArchiveUrl(config.SoftwareHeritageProvider.api_url));
    default:
      return undefined;
  }
}
