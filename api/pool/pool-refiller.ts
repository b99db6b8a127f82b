import type { Redis } from 'ioredis';
import type { LaunchPoolConfig } from '../../queue/config/sections/launch-pool.js';
import type { Logger } from '../../queue/index.js';
import type { HubClient } from '../launch/hub-client.js';
import { withoutTag } from '../launch/launch-quota.js';
import { LockTimeoutError, withRedisLock } from '../webhooks/redis-lock.js';
import { listHubServers, type HubServer } from './hub-servers.js';
import type { LaunchCounts } from './launch-counts.js';
import type { PoolMetrics } from './pool-metrics.js';
import { planPool, type PoolPlan, type PoolTarget } from './pool-plan.js';
import type { PoolEntry } from './pool-server.js';
import type { PoolRemover } from './pool-remover.js';
import type { PoolStarter } from './pool-starter.js';
import type { PoolStore } from './pool-store.js';
import type { WantedSpec } from './pool-targets.js';

export interface PoolRefillerOptions {
  config: LaunchPoolConfig;
  /** `LaunchQuota.total_quota` (null: none). */
  totalQuota: number | null;
  redis: Redis;
  store: PoolStore;
  counts: LaunchCounts;
  starter: PoolStarter;
  remover: PoolRemover;
  hub: HubClient;
  /** Resolves the wanted specs to targets (current image, launch request). */
  resolve: (wanted: WantedSpec[], signal: AbortSignal) => Promise<PoolTarget[]>;
  owner: string;
  metrics: PoolMetrics;
  log: Logger;
}

/**
 * image → spec of the targets whose image exists, and of the servers kept for targets
 * not resolved this time (claims look here first).
 */
function pooledImages(targets: PoolTarget[], entries: PoolEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  const unresolved = new Set(targets.filter((t) => !t.image).map((t) => t.spec));
  for (const t of targets) if (t.image && t.built) out[t.image] ??= t.spec;
  for (const { server } of entries)
    if (unresolved.has(server.spec)) out[server.image] ??= server.spec;
  return out;
}

/** Delay of the look a claim or a miss asks for. */
const KICK_DELAY_MS = 250;

/**
 * Sizes lowered so that pool servers and the repository's real servers together stay
 * within its per-repository quota: a pooled server nobody may claim is not kept.
 */
export function withinRepoQuotas(
  targets: PoolTarget[],
  entries: PoolEntry[],
  hub: HubServer[],
): PoolTarget[] {
  const pooled = new Set(entries.map((e) => e.server.user));
  return targets.map((t) => {
    if (!t.image || !t.repoQuota) return t;
    const repo = withoutTag(t.image);
    const real = hub.filter(
      (s) => !pooled.has(s.user) && s.image !== undefined && withoutTag(s.image) === repo,
    ).length;
    const size = Math.min(t.size, Math.max(0, t.repoQuota - real));
    return size < t.size ? { ...t, size, quotaCapped: true } : t;
  });
}

/**
 * Looks at the pool every `LaunchPool.refill_interval` (and soon after each claim):
 * under a Redis lock, so one api replica at a time, it reads the pool and the hub,
 * takes out what is stale (orphaned starts, servers gone from the hub, too old, of an
 * image no longer current, over a size or over the room the launch quota leaves) and
 * starts what is missing. Every replica keeps its own lease alive meanwhile.
 */
export class PoolRefiller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** A kick's look is scheduled. */
  private kicked = false;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(private readonly o: PoolRefillerOptions) {}

  private get intervalMs(): number {
    return this.o.config.refill_interval * 1000;
  }

  start(): void {
    this.schedule(0);
  }

  /**
   * Look at the pool soon (after a claim, or a launch the pool did not serve): after
   * KICK_DELAY_MS, so a burst of claims leads to one look, made after the burst.
   */
  kick(): void {
    if (this.closed) return;
    if (this.running) this.again = true;
    else if (!this.kicked) {
      this.kicked = true;
      this.schedule(KICK_DELAY_MS);
    }
  }

  /** One look now (tests; the loop calls it too). */
  async tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.kicked = false;
    this.running = this.guardedTick().finally(() => {
      this.running = undefined;
      if (this.closed) return;
      if (this.again) {
        this.again = false;
        this.schedule(KICK_DELAY_MS);
      } else this.schedule(this.intervalMs);
    });
    return this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async guardedTick(): Promise<void> {
    const { store, owner, log } = this.o;
    try {
      await store.renewLease(owner, Math.max(30_000, 3 * this.intervalMs));
      const lock = { ttlMs: 60_000, waitMs: 0 };
      await withRedisLock(this.o.redis, store.lockKey, lock, () => this.pass());
    } catch (err) {
      if (err instanceof LockTimeoutError || this.closed) return;
      log.warn({ err: (err as Error).message }, 'pool: look at the pool failed');
    }
  }

  private async wanted(): Promise<WantedSpec[]> {
    const c = this.o.config;
    const explicit = c.specs.map((s) => ({ spec: s.spec, size: s.size }));
    const top = await this.o.counts.top(c.auto_top_k, c.auto_min_launches);
    const seen = new Set(explicit.map((s) => s.spec));
    const auto = top
      .filter((t) => !seen.has(t.spec))
      .map((t) => ({ spec: t.spec, size: c.auto_size }));
    return [...explicit, ...auto];
  }

  private async pass(): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(50_000)]);
    const entries = await this.o.store.entries();
    const removing = await this.o.store.removing();
    const hub = await listHubServers(this.o.hub, signal);
    const owners = [
      ...new Set([...entries.map((e) => e.server.owner), ...Object.values(removing)]),
    ];
    const liveOwners = await this.o.store.liveOwners(owners);
    await this.o.remover.resume(removing, liveOwners);
    const targets = await this.o.resolve(await this.wanted(), signal);
    await this.o.store.setTargets(pooledImages(targets, entries));
    const plan = planPool({
      targets: withinRepoQuotas(targets, entries, hub),
      entries,
      ...this.capacity(entries, hub),
      liveOwners,
      hubReady: new Set(hub.filter((s) => s.ready).map((s) => s.user)),
      maxAgeMs: this.o.config.max_age * 1000,
      now: Date.now(),
    });
    await this.apply(plan, signal);
  }

  /** Room for pool servers: max_servers, less when the quota needs room for real launches. */
  private capacity(entries: PoolEntry[], hub: HubServer[]) {
    const max = this.o.config.max_servers;
    if (this.o.totalQuota === null) return { capacity: max, quotaBound: false };
    const pooled = new Set(entries.map((e) => e.server.user));
    const real = hub.filter((s) => !pooled.has(s.user)).length;
    const room = Math.max(0, this.o.totalQuota - real);
    return { capacity: Math.min(max, room), quotaBound: room < max };
  }

  private async apply(plan: PoolPlan, signal: AbortSignal): Promise<void> {
    for (const { server, reason } of plan.evict) {
      const taken = await this.o.store.evict(server.user, server.image, this.o.owner);
      if (!taken) continue; // claimed meanwhile: it is someone's server now
      this.o.metrics.evictions.inc({ reason });
      this.o.log.info({ user: server.user, spec: server.spec, reason }, 'pool: server taken out');
      void this.o.remover.remove(server.user);
    }
    const starts: Array<Promise<void>> = [];
    for (const { target, count } of plan.start) {
      for (let i = 0; i < count && !signal.aborted; i++) starts.push(this.o.starter.start(target));
    }
    await Promise.all(starts); // each recorded before the lock is let go
  }

  /** Stops looking (a look under way is cut short). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }
}
