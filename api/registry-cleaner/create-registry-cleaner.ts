import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../../queue/config/index.js';
import type { KeyNames, Logger } from '../../queue/index.js';
import { combineKeepers, type ImageKeepers } from '../../queue/registry-retention/image-keepers.js';
import type { ImageUse } from '../../queue/registry-retention/image-use.js';
import { poolKeepers } from '../pool/pool-keepers.js';
import { PoolStore } from '../pool/pool-store.js';
import { registryAccess } from '../registry/registry-access.js';
import { RegistryCleaner } from './registry-cleaner.js';
import { RegistryV2Client } from './registry-v2-client.js';

export interface CreateCleanerDeps {
  config: Config;
  redis: Redis;
  keys: KeyNames;
  log: Logger;
  metrics: Registry;
  use: ImageUse;
  /** More sources of images to keep (the last good image of each ref), besides the pool's. */
  keepers?: ImageKeepers[];
}

/**
 * The registry cleaner of this configuration, or undefined when it is off
 * (`RegistryCleaner.max_age_days` 0, or no registry: `BinderHub.use_registry` false).
 * It talks to `DockerRegistry.url` with the same credentials as the image lookups.
 */
export function createRegistryCleaner(d: CreateCleanerDeps): RegistryCleaner | undefined {
  const { config } = d;
  const c = config.RegistryCleaner;
  if (c.max_age_days <= 0 || !config.BinderHub.use_registry) return undefined;
  const r = config.DockerRegistry;
  const { url, username, password } = registryAccess(r);
  if (!url) {
    d.log.warn('RegistryCleaner.max_age_days is set but no DockerRegistry.url: the cleaner is off');
    return undefined;
  }
  const client = new RegistryV2Client({
    url,
    username,
    password,
    tokenUrl: r.token_url || undefined,
    timeoutMs: r.request_timeout * 1000,
  });
  return new RegistryCleaner({
    client,
    use: d.use,
    keepers: combineKeepers([poolKeepers(new PoolStore(d.redis, d.keys)), ...(d.keepers ?? [])]),
    redis: d.redis,
    keys: d.keys,
    log: d.log.child({ component: 'registry-cleaner' }),
    metrics: d.metrics,
    imagePrefix: config.BinderHub.image_prefix,
    maxAgeDays: c.max_age_days,
    maxDeletions: c.max_deletions,
  });
}
