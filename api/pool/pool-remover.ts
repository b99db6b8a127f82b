import type { Logger } from '../../queue/index.js';
import type { HubClient } from '../launch/hub-client.js';
import { removeHubUser } from './hub-servers.js';
import type { PoolStore } from './pool-store.js';

/**
 * Removes the hub users of servers taken out of the pool. Each is recorded in Redis
 * (`removing`, with this replica as remover) until the hub confirms, so a removal that
 * failed is tried again, and one whose replica went away is taken over by another.
 */
export class PoolRemover {
  private readonly underway = new Map<string, Promise<void>>();

  constructor(
    private readonly o: { hub: HubClient; store: PoolStore; owner: string; log: Logger },
  ) {}

  /** Removes `user` (already recorded as removing) in the background. */
  remove(user: string, timeoutMs = 120_000): Promise<void> {
    const seen = this.underway.get(user);
    if (seen) return seen;
    const p = removeHubUser(this.o.hub, user, timeoutMs)
      .then(() => this.o.store.removed(user))
      .catch((err: Error) =>
        this.o.log.warn(
          { err: err.message, user },
          'pool: user not removed yet (tried again later)',
        ),
      )
      .finally(() => this.underway.delete(user));
    this.underway.set(user, p);
    return p;
  }

  /** Tries again what failed here, and takes over what replicas that went away left. */
  async resume(removing: Record<string, string>, live: ReadonlySet<string>): Promise<void> {
    for (const [user, remover] of Object.entries(removing)) {
      if (this.underway.has(user)) continue;
      if (remover !== this.o.owner) {
        if (live.has(remover)) continue;
        await this.o.store.takeOver(user, this.o.owner);
      }
      void this.remove(user);
    }
  }

  /** Waits (at most `ms`) for the removals under way. */
  async close(ms: number): Promise<void> {
    const all = Promise.allSettled([...this.underway.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
