import type { Logger } from '../../queue/index.js';
import type { Launcher } from '../launch/launcher.js';
import type { PoolMetrics } from './pool-metrics.js';
import type { PoolTarget } from './pool-plan.js';
import type { PoolRemover } from './pool-remover.js';
import type { PoolServer } from './pool-server.js';
import type { PoolStore } from './pool-store.js';

export interface PoolStarterOptions {
  launcher: Launcher;
  store: PoolStore;
  remover: PoolRemover;
  /** This api replica's id (the owner of the servers it starts). */
  owner: string;
  metrics: PoolMetrics;
  log: Logger;
  /** A server became claimable. */
  onReady?: (server: PoolServer) => void;
}

/**
 * Starts pool servers through the launcher, exactly as a launch starts a server, and
 * records each hub user in Redis *before* it is created: a replica that dies mid-start
 * leaves a record another replica finds (its lease gone) and cleans up.
 */
export class PoolStarter {
  private readonly runs = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly o: PoolStarterOptions) {}

  /** Servers this replica is starting now. */
  get inFlight(): number {
    return this.runs.size;
  }

  /**
   * Starts one server of `target`; resolves once its user is recorded (or the start
   * failed before that), so the next look at the pool counts it.
   */
  start(target: PoolTarget): Promise<void> {
    let recorded!: () => void;
    const reserved = new Promise<void>((resolve) => (recorded = resolve));
    const run = this.run(target, recorded).finally(() => {
      recorded();
      this.runs.delete(run);
    });
    this.runs.add(run);
    return reserved;
  }

  private async run(target: PoolTarget, recorded: () => void): Promise<void> {
    const { store, metrics } = this.o;
    let server: PoolServer | undefined;
    const signal = this.abort.signal;
    try {
      const result = await this.o.launcher.launch(target.request!, () => undefined, signal, {
        beforeCreate: async (user) => {
          if (server) void this.retire(server); // an earlier attempt's user
          server = {
            user,
            image: target.image!,
            spec: target.spec,
            owner: this.o.owner,
            startedAt: Date.now(),
          };
          await store.reserve(server);
          recorded();
        },
      });
      const { attempt: _attempt, ...info } = result;
      const ready: PoolServer = { ...server!, readyAt: Date.now(), info };
      if (await store.promote(ready)) {
        metrics.refills.inc({ outcome: 'success' });
        this.o.onReady?.(ready);
        return;
      }
      // Evicted while it started (a new commit, an orphan check): it is nobody's.
      metrics.refills.inc({ outcome: 'cancelled' });
      await this.retire(ready);
    } catch (err) {
      metrics.refills.inc({ outcome: signal.aborted ? 'cancelled' : 'failure' });
      if (!signal.aborted)
        this.o.log.warn(
          { err: (err as Error).message, spec: target.spec },
          'pool: server did not start',
        );
      if (server) await this.retire(server);
    }
  }

  /** Takes a server that will not be claimed out of the pool and removes its hub user. */
  private async retire(server: PoolServer): Promise<void> {
    try {
      await this.o.store.evict(server.user, server.image, this.o.owner);
      await this.o.remover.remove(server.user, this.abort.signal.aborted ? 10_000 : 120_000);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, user: server.user }, 'pool: user not removed');
    }
  }

  /** Stops every start in flight and removes their users (bounded by `ms`). */
  async close(ms = 15_000): Promise<void> {
    this.abort.abort();
    const all = Promise.allSettled([...this.runs]);
    await Promise.race([all, new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
