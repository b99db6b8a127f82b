import type { Redis } from 'ioredis';
import type { Config } from '../../queue/config/index.js';
import type { KeyNames, Logger } from '../../queue/index.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { HubClient } from './hub-client.js';
import { LaunchUsers } from './launch-users.js';
import { UserCleanup } from './user-cleanup.js';
import { startUserSweeper, type UserSweeper } from './user-sweeper.js';

/**
 * The record of launch users, their cleanup and (unless `Launcher.sweep_interval` is 0)
 * the sweeper of abandoned ones, counted in `binderhub_ts_launch_user_cleanups_total`
 * and `binderhub_ts_abandoned_launch_users`.
 */
export function createLaunchUsers(o: {
  config: Config;
  redis: Redis;
  keys: KeyNames;
  hub: HubClient;
  metrics: ApiMetrics;
  log: Logger;
}): { users: LaunchUsers; cleanup: UserCleanup; sweeper?: UserSweeper } {
  const log = o.log.child({ component: 'launch-users' });
  const l = o.config.Launcher;
  const users = new LaunchUsers(o.redis, o.keys.key('launch-users'), log);
  const count = (outcome: string) => o.metrics.launchUserCleanups.inc({ outcome });
  const cleanup = new UserCleanup({
    hub: o.hub,
    log,
    users,
    giveUpAfterMs: l.launch_timeout * 1000,
    onOutcome: count,
  });
  if (l.sweep_interval === 0) return { users, cleanup };
  const idleMs = 2 * l.launch_timeout * 1000;
  const sweeper = startUserSweeper({
    users,
    cleanup,
    intervalMs: l.sweep_interval * 1000,
    idleMs,
    log,
    onSwept: () => count('swept'),
    onRemaining: (n) => o.metrics.abandonedLaunchUsers.set(n),
  });
  return { users, cleanup, sweeper };
}
