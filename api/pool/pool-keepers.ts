import type { ImageKeepers } from '../../queue/registry-retention/image-keepers.js';
import type { PoolStore } from './pool-store.js';

/**
 * The warm pool's images the registry cleaner keeps: each pooled spec's current image
 * (the pool's targets) and the image of every pooled server, as Redis holds them (every
 * replica's pool alike, whether this replica runs a pool or not).
 */
export function poolKeepers(store: Pick<PoolStore, 'targets' | 'entries'>): ImageKeepers {
  return {
    async imagesToKeep() {
      const [targets, entries] = await Promise.all([store.targets(), store.entries()]);
      return [...Object.keys(targets), ...entries.map((e) => e.server.image)];
    },
  };
}
