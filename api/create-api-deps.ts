import type { Config } from '../queue/config/index.js';
import {
  BuildQueue,
  createRedis,
  keyNames,
  packageVersion,
  eventBusLimits,
  RedisEventBus,
  withTimeout,
  type Logger,
} from '../queue/index.js';
import { createEventLog } from '../queue/event-log/index.js';
import { FollowerLeases } from '../queue/followers/follower-leases.js';
import { LastGoodStore } from '../queue/last-good/last-good-store.js';
import { poolEnabled } from '../queue/config/sections/launch-pool.js';
import { ImageUse } from '../queue/registry-retention/image-use.js';
import type { AppDeps } from './app-deps.js';
import { createHubLogin } from './auth/create-hub-login.js';
import { createBuildTokens } from './build-token/create-build-tokens.js';
import { createUserCredentials } from './credentials/create-user-credentials.js';
import { builderInfo } from './builds/builder-info.js';
import { createHealth } from './health/create-health.js';
import { createLauncher } from './launch/create-launcher.js';
import type { Launcher } from './launch/launcher.js';
import { HubLaunchQuota } from './launch/launch-quota.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import { registerQueueMetrics } from './metrics/queue-metrics.js';
import { drainPool } from './pool/drain-pool.js';
import { LaunchPool } from './pool/launch-pool.js';
import { createProviders } from './providers/create-providers.js';
import { createClientLimits } from './rate-limit/client-limits.js';
import { createRegistry } from './registry/create-registry.js';
import type { ImageRegistry } from './registry/image-registry.js';
import { createRegistryCleaner } from './registry-cleaner/create-registry-cleaner.js';
import { scheduleCleaner } from './registry-cleaner/cleaner-schedule.js';
import { createUiAssets } from './ui/assets/ui-assets.js';
import { createPrebuilds } from './webhooks/create-prebuilds.js';

export { hubApiUrl } from './launch/create-launcher.js';

export interface ApiDepsOverrides {
  /** fetch used for SaaS provider APIs (tests pass recorded responses). */
  providerFetch?: typeof fetch;
  defaultMetrics?: boolean;
  healthCacheMs?: number;
  keepaliveMs?: number;
  /** The image registry and the launcher in place of the configured ones (tests: the fakes). */
  registry?: ImageRegistry;
  launcher?: Launcher;
}

export interface ApiRuntime {
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * The api's composition root: builds every dependency of the api from the validated
 * configuration, once. Nothing below it builds a dependency of its own.
 */
export function createApiDeps(config: Config, log: Logger, o: ApiDepsOverrides = {}): ApiRuntime {
  const keys = keyNames(config.Redis.key_prefix);
  const redis = createRedis(config.Redis.url, 'command');
  const producer = createRedis(config.Redis.url, 'producer');
  const q = config.BuildQueue;
  const bus = new RedisEventBus({
    redis,
    subscriber: () => createRedis(config.Redis.url, 'subscriber'),
    keys,
    ...eventBusLimits(q),
  });
  const buildQueue = new BuildQueue({
    name: q.name,
    prefix: config.Redis.key_prefix,
    connection: producer,
    bus,
    interactivePriority: q.interactive_priority,
    prebuildPriority: q.prebuild_priority,
    keepCompleted: q.keep_completed,
    keepFailed: q.keep_failed,
  });
  const followers = new FollowerLeases({
    redis,
    keys,
    leaseSeconds: q.follower_lease_seconds,
    log,
  });
  const metrics = createApiMetrics({ defaultMetrics: o.defaultMetrics });
  const configuredRegistry = createRegistry(config, (outcome, s) =>
    metrics.registryRequestSeconds.observe({ outcome }, s),
  );
  const hubSide = createLauncher({ config, redis, keys, metrics, log });
  const { hub } = hubSide;
  const registry = o.registry ?? configuredRegistry;
  const launcher = o.launcher ?? hubSide.launcher;
  const health = createHealth({
    config,
    redis,
    keys,
    hubApiUrl: hubSide.apiUrl,
    registry,
    buildQueue,
    cacheMs: o.healthCacheMs,
  });
  registerQueueMetrics({
    registry: metrics.registry,
    buildQueue,
    redis,
    runnersKey: keys.runners(),
    heartbeatIntervalSeconds: config.Runner.heartbeat_interval,
    forgetAfterSeconds: config.Runner.forget_after,
    priorities: { interactive: q.interactive_priority, prebuild: q.prebuild_priority },
    log,
  });
  const eventLog = createEventLog({ config: config.EventLog, log });
  const providers = createProviders(config, {
    fetch: o.providerFetch,
    onGitHubRateLimit: (n) => metrics.githubRateLimitRemaining.set(n),
    onResolution: (provider, outcome) => metrics.refResolutions.inc({ provider, outcome }),
  });
  const pool = poolEnabled(config.LaunchPool)
    ? new LaunchPool({
        config,
        redis,
        keys,
        hub,
        launcher,
        providers,
        registry,
        log,
        metricsRegistry: metrics.registry,
      })
    : undefined;
  const imageUse = new ImageUse(redis, keys);
  const lastGood = new LastGoodStore({
    redis,
    keys,
    ttlSeconds: q.last_good_ttl,
    imagePrefix: config.BinderHub.image_prefix,
  });
  const registryCleaner = createRegistryCleaner({
    config,
    redis,
    keys,
    log,
    metrics: metrics.registry,
    use: imageUse,
    keepers: [lastGood],
  });
  const c = config.RegistryCleaner;
  const cleanerSchedule =
    registryCleaner && c.interval > 0
      ? scheduleCleaner(registryCleaner, { intervalSeconds: c.interval, dryRun: c.dry_run, log })
      : undefined;
  const core = { config, log, metrics, redis, buildQueue, bus, providers, registry };
  const deps: AppDeps = {
    ...core,
    version: packageVersion(),
    followers,
    lastGood,
    launcher,
    quota: new HubLaunchQuota(
      hub,
      config.LaunchQuota.total_quota,
      pool && (() => pool.uncountedUsers()),
    ),
    eventLog,
    pool,
    imageUse,
    registryCleaner,
    health,
    builderInfo: builderInfo(config),
    keepaliveMs: o.keepaliveMs,
    login: config.BinderHub.auth_enabled
      ? createHubLogin({ config, redis, hubApiUrl: hubSide.apiUrl, log })
      : undefined,
    prebuilds: createPrebuilds(core),
    buildTokens: createBuildTokens(config, log),
    limits: createClientLimits(redis, config),
    uiAssets: createUiAssets(),
    userCredentials: createUserCredentials({ config, redis, log, fetch: o.providerFetch }),
  };
  if (pool) pool.start();
  else {
    // Servers a former pool left behind (its specs were taken out of the config) go.
    const owner = `drain-${process.pid}`;
    void drainPool({ redis, keys, hub, log, owner }).catch((err: Error) =>
      log.warn({ err: err.message }, 'pool: leftover servers not removed'),
    );
  }
  return {
    deps,
    async close() {
      cleanerSchedule?.close();
      // Stops the pool's starts under way and removes their hub users (bounded inside).
      await withTimeout(pool?.close() ?? Promise.resolve(), 30_000, 'launch pool').catch(
        (err: Error) => log.warn({ err: err.message }, 'shutdown step did not finish'),
      );
      // Each step is bounded: a shutdown must not hang on a Redis that is gone.
      const steps: Array<[string, () => Promise<void>]> = [
        ['pre-build scheduler', async () => deps.prebuilds.scheduler.close()],
        ['temporary user sweeper', async () => hubSide.sweeper?.close()],
        ['follower leases', () => followers.close()],
        ['build queue', () => buildQueue.close()],
        ['event log', () => eventLog.close()],
        ['event bus', () => bus.close()],
      ];
      for (const [what, step] of steps) {
        await withTimeout(step(), 5000, what).catch((err: Error) =>
          log.warn({ err: err.message }, 'shutdown step did not finish'),
        );
      }
      redis.disconnect();
      producer.disconnect();
    },
  };
}
