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
import { FollowerLeases } from '../queue/followers/follower-leases.js';
import { LastGoodStore } from '../queue/last-good/last-good-store.js';
import type { AppDeps } from './app-deps.js';
import { createHubLogin } from './auth/create-hub-login.js';
import { builderInfo } from './builds/builder-info.js';
import { HealthChecker } from './health/health-checker.js';
import { hubCheck, redisCheck, registryCheck } from './health/standard-checks.js';
import { createEventLog } from '../queue/event-log/index.js';
import { operatorHealthChecks } from './health/operator-checks.js';
import { HubClient } from './launch/hub-client.js';
import { HubLaunchQuota } from './launch/launch-quota.js';
import { registerQueueMetrics } from './metrics/queue-metrics.js';
import { createPrebuilds } from './webhooks/create-prebuilds.js';
import { poolEnabled } from '../queue/config/sections/launch-pool.js';
import { drainPool } from './pool/drain-pool.js';
import { LaunchPool } from './pool/launch-pool.js';
import { JupyterHubLauncher } from './launch/jupyterhub-launcher.js';
import type { Launcher } from './launch/launcher.js';
import { UserServerLauncher } from './launch/user-server-launcher.js';
import { createLaunchUsers } from './launch/create-launch-users.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import { createProviders } from './providers/create-providers.js';
import { registryAccess } from './registry/registry-access.js';
import { DockerRegistry } from './registry/docker-registry.js';
import type { ImageRegistry } from './registry/image-registry.js';
import { LocalEngineRegistry } from './registry/local-engine-registry.js';
import { ImageUse } from '../queue/registry-retention/image-use.js';
import { createRegistryCleaner } from './registry-cleaner/create-registry-cleaner.js';
import { scheduleCleaner } from './registry-cleaner/cleaner-schedule.js';

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

/** The hub API base: `$JUPYTERHUB_API_URL`, else `<hub_url_local or hub_url>hub/api/`. */
export function hubApiUrl(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.JUPYTERHUB_API_URL;
  if (explicit) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  return `${config.BinderHub.hub_url_local || config.BinderHub.hub_url}hub/api/`;
}

function createRegistry(
  config: Config,
  observe: (outcome: string, s: number) => void,
): ImageRegistry {
  if (!config.BinderHub.use_registry) {
    return new LocalEngineRegistry(config.DockerBuildExecutor.docker_host);
  }
  const r = config.DockerRegistry;
  const { url, username, password } = registryAccess(r);
  return new DockerRegistry({
    url,
    username,
    password,
    tokenUrl: r.token_url,
    notFound401: r.not_found_401 ?? url.endsWith('.docker.io'),
    timeoutMs: r.request_timeout * 1000,
    observe,
  });
}

/** Builds every dependency of the api from the validated configuration. */
export function createApiDeps(config: Config, log: Logger, o: ApiDepsOverrides = {}): ApiRuntime {
  const keys = keyNames(config.Redis.key_prefix);
  const redis = createRedis(config.Redis.url, 'command');
  const producer = createRedis(config.Redis.url, 'producer');
  const bus = new RedisEventBus({
    redis,
    subscriber: () => createRedis(config.Redis.url, 'subscriber'),
    keys,
    ...eventBusLimits(config.BuildQueue),
  });
  const q = config.BuildQueue;
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
  const apiUrl = hubApiUrl(config);
  const token = config.BinderHub.hub_api_token;
  const hub = new HubClient({
    apiUrl,
    token,
    attempts: config.Launcher.retries,
    retryDelayMs: config.Launcher.retry_delay * 1000,
    observe: (outcome, s) => metrics.hubRequestSeconds.observe({ outcome }, s),
  });
  const launch = createLaunchUsers({ config, redis, keys, hub, metrics, log });
  const l = config.Launcher;
  const configuredLauncher: Launcher = config.BinderHub.auth_enabled
    ? new UserServerLauncher({
        hub,
        hubUrl: config.BinderHub.hub_url,
        allowNamedServers: l.allow_named_servers,
        namedServerLimit: l.named_server_limit_per_user,
        retries: l.retries,
        retryDelayMs: l.retry_delay * 1000,
        launchTimeoutMs: l.launch_timeout * 1000,
        log,
      })
    : new JupyterHubLauncher({
        hub,
        hubUrl: config.BinderHub.hub_url,
        retries: config.Launcher.retries,
        retryDelayMs: config.Launcher.retry_delay * 1000,
        launchTimeoutMs: config.Launcher.launch_timeout * 1000,
        log,
        cleanup: launch.cleanup,
        users: launch.users,
      });
  const registry = o.registry ?? configuredRegistry;
  const launcher = o.launcher ?? configuredLauncher;
  const checks = [hubCheck(apiUrl, token), redisCheck(redis)];
  if (config.BinderHub.use_registry) {
    checks.splice(
      1,
      0,
      registryCheck((signal) =>
        registry.hasImage(`${config.BinderHub.image_prefix}health-check:12345`, signal),
      ),
    );
  }
  checks.push(
    ...operatorHealthChecks({ config, redis, runnersKey: keys.runners(), queue: buildQueue.queue }),
  );
  const health = new HealthChecker(checks, {
    cacheMs: o.healthCacheMs ?? config.Health.cache_seconds * 1000,
    timeoutMs: 3000,
  });
  registerQueueMetrics({
    registry: metrics.registry,
    queue: buildQueue.queue,
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
  const deps: AppDeps = {
    config,
    log,
    version: packageVersion(),
    metrics,
    redis,
    buildQueue,
    bus,
    followers,
    lastGood,
    providers,
    registry,
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
      ? createHubLogin({ config, redis, hubApiUrl: apiUrl, log })
      : undefined,
  };
  const prebuilds = createPrebuilds(deps);
  deps.prebuilds = prebuilds;
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
        ['pre-build scheduler', async () => prebuilds.scheduler.close()],
        ['temporary user sweeper', async () => launch.sweeper?.close()],
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
