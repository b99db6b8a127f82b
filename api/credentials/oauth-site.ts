import type { Config } from '../../queue/config/index.js';
import type { OAuthAppConfig } from '../../queue/config/sections/user-credentials.js';
import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import { gitHubApiUrl, gitHubSite, gitLabSite } from '../../queue/repo-specs/provider-sites.js';

/** Where one git hosting site's OAuth and REST endpoints are, and the app registered there. */
export interface OAuthSite {
  provider: CredentialProvider;
  /** For messages: `GitHub`, `GitLab`. */
  name: string;
  app: OAuthAppConfig;
  authorizeUrl: string;
  tokenUrl: string;
  /** REST API root without a trailing slash (`https://api.github.com`, `https://gitlab.com/api/v4`). */
  apiUrl: string;
  /** GitLab's RFC 7009 endpoint; GitHub revokes through its REST API instead. */
  revocationUrl?: string;
}

/**
 * The sites users can connect (those with an OAuth app configured): GitHub's documented
 * endpoints (`/login/oauth/authorize`, `/login/oauth/access_token`) and GitLab's
 * (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`), under the configured hosts.
 */
export function oauthSites(config: Config): Map<CredentialProvider, OAuthSite> {
  const sites = new Map<CredentialProvider, OAuthSite>();
  if (config.GitHubOAuth.client_id) {
    const site = gitHubSite(config);
    sites.set('github', {
      provider: 'github',
      name: 'GitHub',
      app: config.GitHubOAuth,
      authorizeUrl: `${site}login/oauth/authorize`,
      tokenUrl: `${site}login/oauth/access_token`,
      apiUrl: gitHubApiUrl(config),
    });
  }
  if (config.GitLabOAuth.client_id) {
    const site = gitLabSite(config);
    sites.set('gitlab', {
      provider: 'gitlab',
      name: 'GitLab',
      app: config.GitLabOAuth,
      authorizeUrl: `${site}oauth/authorize`,
      tokenUrl: `${site}oauth/token`,
      apiUrl: `${site}api/v4`,
      revocationUrl: `${site}oauth/revoke`,
    });
  }
  return sites;
}
