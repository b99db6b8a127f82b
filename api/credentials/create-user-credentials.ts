import type { Redis } from 'ioredis';
import { ConfigError, userCredentialsEnabled, type Config } from '../../queue/config/index.js';
import { JobTokenSeal, type CredentialProvider } from '../../queue/credentials/job-token.js';
import { parseEncryptionKey } from '../../queue/credentials/sealed-box.js';
import { keyNames, type Logger } from '../../queue/index.js';
import { oauthSites, type OAuthSite } from './oauth-site.js';
import { RepoAccessChecks } from './repo-access-checks.js';
import { SiteOAuthClient } from './site-oauth-client.js';
import { TokenStore } from './token-store.js';
import { UserTokens } from './user-tokens.js';

/** Users' own GitHub/GitLab credentials (issue 17.2): present when an OAuth app is configured. */
export interface UserCredentials {
  sites: ReadonlyMap<CredentialProvider, OAuthSite>;
  clients: ReadonlyMap<CredentialProvider, SiteOAuthClient>;
  store: TokenStore;
  tokens: UserTokens;
  checks: RepoAccessChecks;
  /** Seals a user's token into a build job (the key the runners share). */
  jobSeal: JobTokenSeal;
  /** How long a sealed job token stays valid (ms). */
  jobTokenMs: number;
}

export function createUserCredentials(o: {
  config: Config;
  redis: Redis;
  log: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}): UserCredentials | undefined {
  const { config } = o;
  if (!userCredentialsEnabled(config)) return undefined;
  // The schema refuses these already; a test or embedding may hand in a config object.
  const key = parseEncryptionKey(config.UserCredentials.encryption_key);
  if (!key || !config.BinderHub.auth_enabled)
    throw new ConfigError(
      'invalid configuration: UserCredentials.encryption_key (32 bytes) and BinderHub.auth_enabled are required when GitHubOAuth/GitLabOAuth.client_id is set',
    );
  const keys = keyNames(config.Redis.key_prefix);
  const sites = oauthSites(config);
  const clients = new Map(
    [...sites].map(([p, site]) => [p, new SiteOAuthClient(site, o.fetch, o.now)] as const),
  );
  const store = new TokenStore(o.redis, keys, key);
  const log = o.log.child({ component: 'user-credentials' });
  const u = config.UserCredentials;
  return {
    sites,
    clients,
    store,
    tokens: new UserTokens({
      store,
      clients,
      refreshMarginMs: u.refresh_margin_seconds * 1000,
      log,
      now: o.now,
    }),
    checks: new RepoAccessChecks({
      redis: o.redis,
      keys,
      sites,
      ttlSeconds: u.access_check_seconds,
      fetch: o.fetch,
    }),
    jobSeal: new JobTokenSeal(key),
    jobTokenMs: 24 * 3600 * 1000,
  };
}
