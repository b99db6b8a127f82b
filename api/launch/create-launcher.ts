import type { Redis } from 'ioredis';
import type { Config } from '../../queue/config/index.js';
import type { KeyNames, Logger } from '../../queue/index.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import { createLaunchUsers } from './create-launch-users.js';
import { HubClient } from './hub-client.js';
import { JupyterHubLauncher } from './jupyterhub-launcher.js';
import type { Launcher } from './launcher.js';
import { UserServerLauncher } from './user-server-launcher.js';
import type { UserSweeper } from './user-sweeper.js';

/** The hub API base: `$JUPYTERHUB_API_URL`, else `<hub_url_local or hub_url>hub/api/`. */
export function hubApiUrl(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.JUPYTERHUB_API_URL;
  if (explicit) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  return `${config.BinderHub.hub_url_local || config.BinderHub.hub_url}hub/api/`;
}

export interface HubSide {
  apiUrl: string;
  hub: HubClient;
  launcher: Launcher;
  /** Removes the temporary users of abandoned launches (absent when `Launcher.sweep_interval` is 0). */
  sweeper?: UserSweeper;
}

/**
 * The api's side of JupyterHub: the REST client and the launcher — the logged-in user's
 * own server with `BinderHub.auth_enabled`, else a temporary user per launch (recorded,
 * cleaned up, swept).
 */
export function createLauncher(o: {
  config: Config;
  redis: Redis;
  keys: KeyNames;
  metrics: ApiMetrics;
  log: Logger;
}): HubSide {
  const { config, log, metrics } = o;
  const l = config.Launcher;
  const apiUrl = hubApiUrl(config);
  const hub = new HubClient({
    apiUrl,
    token: config.BinderHub.hub_api_token,
    attempts: l.retries,
    retryDelayMs: l.retry_delay * 1000,
    observe: (outcome, s) => metrics.hubRequestSeconds.observe({ outcome }, s),
  });
  const timing = {
    hub,
    hubUrl: config.BinderHub.hub_url,
    retries: l.retries,
    retryDelayMs: l.retry_delay * 1000,
    launchTimeoutMs: l.launch_timeout * 1000,
    log,
  };
  // Swept with auth on too: temporary users an earlier configuration left behind.
  const launch = createLaunchUsers({ ...o, hub });
  const launcher: Launcher = config.BinderHub.auth_enabled
    ? new UserServerLauncher({
        ...timing,
        allowNamedServers: l.allow_named_servers,
        namedServerLimit: l.named_server_limit_per_user,
      })
    : new JupyterHubLauncher({ ...timing, cleanup: launch.cleanup, users: launch.users });
  return { apiUrl, hub, launcher, sweeper: launch.sweeper };
}
