import type { Redis } from 'ioredis';
import type { Config } from '../../queue/config/index.js';
import type { BuildQueue, KeyNames } from '../../queue/index.js';
import type { ImageRegistry } from '../registry/image-registry.js';
import { HealthChecker } from './health-checker.js';
import { operatorHealthChecks } from './operator-checks.js';
import { hubCheck, redisCheck, registryCheck } from './standard-checks.js';

/** `/health`: upstream's checks (hub, registry when used, Redis), then the operator's. */
export function createHealth(o: {
  config: Config;
  redis: Redis;
  keys: KeyNames;
  hubApiUrl: string;
  registry: ImageRegistry;
  buildQueue: BuildQueue;
  cacheMs?: number;
}): HealthChecker {
  const { config } = o;
  const image = `${config.BinderHub.image_prefix}health-check:12345`;
  const checks = [
    hubCheck(o.hubApiUrl, config.BinderHub.hub_api_token),
    ...(config.BinderHub.use_registry
      ? [registryCheck((signal) => o.registry.hasImage(image, signal))]
      : []),
    redisCheck(o.redis),
    ...operatorHealthChecks({
      config,
      redis: o.redis,
      runnersKey: o.keys.runners(),
      buildQueue: o.buildQueue,
    }),
  ];
  return new HealthChecker(checks, {
    cacheMs: o.cacheMs ?? config.Health.cache_seconds * 1000,
    timeoutMs: 3000,
  });
}
