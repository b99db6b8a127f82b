import { keyNames } from '../../queue/index.js';
import type { AppDeps } from '../app-deps.js';
import { DeliveryIds } from './delivery-ids.js';
import { PrebuildScheduler, type SchedulerDeps } from './prebuild-scheduler.js';
import { PushCoalescer } from './push-coalescer.js';
import type { Prebuilds } from './prebuilds.js';
import { PushLog } from './push-log.js';
import { webhookMetrics } from './webhook-metrics.js';

export type { Prebuilds } from './prebuilds.js';

export type PrebuildDeps = Pick<
  AppDeps,
  'config' | 'log' | 'metrics' | 'redis' | 'buildQueue' | 'bus' | 'providers' | 'registry'
>;

/** A pending pre-build waits at most this long for the running one: the build time limit. */
function maxWaitMs(deps: PrebuildDeps): number {
  const maxAge = deps.config.BuildExecutor.max_age;
  return (maxAge > 0 ? maxAge + 60 : 6 * 3600) * 1000;
}

/** The pieces behind the push webhooks, built from the api's dependencies. */
export function createPrebuilds(
  deps: PrebuildDeps,
  tuning: Pick<SchedulerDeps, 'promotePollMs' | 'registryRetryMs'> = {},
): Prebuilds {
  const { config } = deps;
  const keys = keyNames(config.Redis.key_prefix);
  const metrics = webhookMetrics(deps.metrics.registry);
  const pushLog = new PushLog(deps.redis, keys);
  const coalescer = new PushCoalescer({
    redis: deps.redis,
    keys,
    buildQueue: deps.buildQueue,
    bus: deps.bus,
    prebuildPriority: config.BuildQueue.prebuild_priority,
    maxWaitMs: maxWaitMs(deps),
    historyTtlSeconds: config.BuildQueue.event_history_ttl,
  });
  const scheduler = new PrebuildScheduler({
    providers: deps.providers,
    registry: deps.registry,
    log: deps.log.child({ component: 'prebuild' }),
    imagePrefix: config.BinderHub.image_prefix,
    coalescer,
    pushLog,
    metrics,
    ...tuning,
  });
  const ids = (ttl: number) => new DeliveryIds(deps.redis, keys, Math.max(ttl, 1));
  const deliveries = {
    github: ids(config.GitHubWebhook.delivery_ttl),
    gitlab: ids(config.GitLabWebhook.delivery_ttl),
  };
  return { scheduler, pushLog, deliveries, metrics };
}
