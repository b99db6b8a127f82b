import type { Redis } from 'ioredis';
import { ConfigError, type Config } from '../../queue/config/index.js';
import { keyNames, type Logger } from '../../queue/index.js';
import { HubAuth } from './hub-auth.js';
import { HubOAuthClient } from './hub-oauth-client.js';
import { LoginFlow } from './login-flow.js';
import { SessionStore } from './session-store.js';

/** Hub login (`BinderHub.auth_enabled`): who is asking, and the login round trip. */
export interface HubLogin {
  auth: HubAuth;
  flow: LoginFlow;
}

export function createHubLogin(o: {
  config: Config;
  redis: Redis;
  hubApiUrl: string;
  log: Logger;
  fetch?: typeof fetch;
}): HubLogin {
  const { BinderHub: b, HubOAuth: settings } = o.config;
  if (!b.hub_api_token) {
    throw new ConfigError(
      'invalid configuration: BinderHub.hub_api_token: is required with BinderHub.auth_enabled (it is the OAuth client secret); set it or $JUPYTERHUB_API_TOKEN',
    );
  }
  const log = o.log.child({ component: 'hub-login' });
  const store = new SessionStore(
    o.redis,
    keyNames(o.config.Redis.key_prefix),
    settings.session_max_age,
  );
  const client = new HubOAuthClient({
    hubUrl: b.hub_url,
    hubApiUrl: o.hubApiUrl,
    clientId: settings.oauth_client_id,
    clientSecret: b.hub_api_token,
    fetch: o.fetch,
  });
  const auth = new HubAuth({ settings, store, client, log });
  const flow = new LoginFlow({ auth, store, client, baseUrl: b.base_url, hubUrl: b.hub_url, log });
  return { auth, flow };
}
