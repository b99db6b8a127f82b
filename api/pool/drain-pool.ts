import type { Redis } from 'ioredis';
import type { KeyNames, Logger } from '../../queue/index.js';
import type { HubClient } from '../launch/hub-client.js';
import { PoolRemover } from './pool-remover.js';
import { PoolStore } from './pool-store.js';

/**
 * Takes every unclaimed server out of the pool and removes its hub user (waiting at most
 * `ms`): what an api with no pooled spec does at start, so servers a pool left (its
 * specs were removed from the configuration) do not run forever. Returns how many.
 */
export async function drainPool(
  o: { redis: Redis; keys: KeyNames; hub: HubClient; log: Logger; owner: string },
  ms = 120_000,
): Promise<number> {
  const store = new PoolStore(o.redis, o.keys);
  const remover = new PoolRemover({ hub: o.hub, store, owner: o.owner, log: o.log });
  let taken = 0;
  for (const { server } of await store.entries()) {
    if (await store.evict(server.user, server.image, o.owner)) taken++;
  }
  const removing = await store.removing();
  await remover.resume(removing, new Set());
  await remover.close(ms);
  if (taken > 0) o.log.info({ servers: taken }, 'pool: unclaimed servers of a former pool removed');
  return taken;
}
