import type { EvictionReason } from './pool-plan.js';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../../queue/config/index.js';
import { ConfigError } from '../../queue/config/config-error.js';
import type { KeyNames, Logger } from '../../queue/index.js';
import type { HubClient } from '../launch/hub-client.js';
import type { Launcher } from '../launch/launcher.js';
import type { ProviderRegistry } from '../providers/provider-entry.js';
import type { ImageRegistry } from '../registry/image-registry.js';
import { drainPool } from './drain-pool.js';
import { postActivity } from './hub-servers.js';
import { LaunchCounts } from './launch-counts.js';
import { poolMetrics, type PoolMetrics } from './pool-metrics.js';
import { PoolRefiller } from './pool-refiller.js';
import { PoolRemover } from './pool-remover.js';
import type { ServerInfo } from './pool-server.js';
import { PoolStarter } from './pool-starter.js';
import { PoolStore } from './pool-store.js';
import { resolveTarget, splitPoolSpec } from './pool-targets.js';

export interface LaunchPoolOptions {
  config: Config;
  redis: Redis;
  keys: KeyNames;
  hub: HubClient;
  launcher: Launcher;
  providers: ProviderRegistry;
  registry: ImageRegistry;
  /** The api's metrics registry. */
  metricsRegistry: Registry;
  log: Logger;
}

/** A pooled server handed to one requester. */
export interface ClaimedServer {
  info: ServerInfo;
  /** Seconds the claim took. */
  seconds: number;
}

/** Every `LaunchPool.specs` entry names a provider and a spec it accepts. */
function checkSpecs(config: Config, providers: ProviderRegistry): void {
  for (const [i, { spec }] of config.LaunchPool.specs.entries()) {
    const parts = splitPoolSpec(spec);
    const entry = parts && providers.get(parts.prefix);
    if (!parts || !entry) {
      throw new ConfigError(`LaunchPool.specs.${i}.spec: no provider for "${spec}"`);
    }
    try {
      entry.create(parts.spec);
    } catch (err) {
      throw new ConfigError(`LaunchPool.specs.${i}.spec: ${(err as Error).message}`);
    }
  }
}

/**
 * The warm pool (`LaunchPool.*`): servers already started for the specs launched most,
 * handed out to the next launch of their image. Its state is in Redis, shared by every
 * api replica; claims are atomic there; one replica at a time refills it.
 */
export class LaunchPool {
  readonly store: PoolStore;
  readonly metrics: PoolMetrics;
  readonly refiller: PoolRefiller;
  /** This api replica's id (owner of the servers it starts and removes). */
  readonly owner = randomUUID();
  private readonly counts: LaunchCounts;
  private readonly starter: PoolStarter;
  private readonly remover: PoolRemover;
  private readonly log: Logger;

  get config() {
    return this.o.config.LaunchPool;
  }

  constructor(private readonly o: LaunchPoolOptions) {
    checkSpecs(o.config, o.providers);
    const c = o.config.LaunchPool;
    this.log = o.log.child({ component: 'pool' });
    this.store = new PoolStore(o.redis, o.keys);
    this.metrics = poolMetrics(o.metricsRegistry, () => this.store.entries(), this.log);
    const windowMs = c.auto_window * 1000;
    this.counts = new LaunchCounts(
      o.redis,
      (b) => o.keys.key('pool', 'launches', String(b)),
      windowMs,
    );
    const common = { store: this.store, owner: this.owner, log: this.log };
    this.remover = new PoolRemover({ ...common, hub: o.hub });
    this.starter = new PoolStarter({
      ...common,
      launcher: o.launcher,
      remover: this.remover,
      metrics: this.metrics,
    });
    this.refiller = new PoolRefiller({
      ...common,
      config: c,
      totalQuota: o.config.LaunchQuota.total_quota,
      redis: o.redis,
      counts: this.counts,
      starter: this.starter,
      remover: this.remover,
      hub: o.hub,
      metrics: this.metrics,
      resolve: async (wanted, signal) => {
        const host = await this.launchHost();
        const all = await Promise.all(wanted.map((w) => resolveTarget(o, w, host, signal)));
        return all.filter((t) => t !== undefined);
      },
    });
  }

  start(): void {
    this.refiller.start();
  }

  /**
   * Hands out a ready pooled server of `image`, or undefined: the image is not pooled,
   * or no server of it is ready (a miss). One Redis script, no hub request: the hub's
   * view of every pooled server is checked at each look at the pool instead.
   */
  async claim(image: string, signal: AbortSignal): Promise<ClaimedServer | undefined> {
    const started = performance.now();
    const got = await this.store.claim(image);
    if (got.outcome === 'unpooled') return undefined;
    this.refiller.kick();
    if (got.outcome === 'miss' || !got.server.info) {
      this.metrics.claims.inc({ outcome: 'miss' });
      return undefined;
    }
    const { server } = got;
    if (signal.aborted) {
      await this.store.giveBack(server); // nobody saw its token
      return undefined;
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.claims.inc({ outcome: 'hit' });
    this.metrics.claimSeconds.observe(seconds);
    postActivity(this.o.hub, server.user, new Date(), AbortSignal.timeout(30_000)).catch(
      (err: Error) =>
        this.log.warn({ err: err.message, user: server.user }, 'pool: activity not posted'),
    );
    return { info: got.server.info, seconds };
  }

  /**
   * Counts a launch of `<prefix>/<spec>` for the automatic choice of specs (specs with
   * credentials in them are never counted), and remembers the launch host for pool starts.
   */
  async recordLaunch(prefix: string, spec: string, launchHost: string, secret: boolean) {
    const counted = this.o.config.LaunchPool.auto_top_k > 0 && !secret;
    await Promise.all([
      counted ? this.counts.record(`${prefix}/${spec}`) : undefined,
      this.o.config.BinderHub.badge_base_url
        ? undefined
        : this.o.redis.set(this.o.keys.key('pool', 'launch-host'), launchHost),
    ]);
  }

  /**
   * Takes the unclaimed servers of `image` out of the pool, removing their users: the
   * image was rebuilt under the same name, and they run the old one. The next look at
   * the pool starts servers of the new image. Returns how many were taken.
   */
  async replaceImage(image: string): Promise<number> {
    let taken = 0;
    for (const { server } of await this.store.entries()) {
      if (server.image !== image) continue;
      if (!(await this.store.evict(server.user, server.image, this.owner))) continue;
      taken++;
      this.metrics.evictions.inc({ reason: 'rebuilt' satisfies EvictionReason });
      void this.remover.remove(server.user);
    }
    if (taken > 0) {
      this.log.info({ image, servers: taken }, 'pool: servers of a rebuilt image taken out');
      this.refiller.kick();
    }
    return taken;
  }

  /** Users of unclaimed pool servers: launch quotas do not count them. */
  uncountedUsers(): Promise<Set<string>> {
    return this.store.users();
  }

  /** The launch counts behind the automatic choice (the dashboard). */
  topSpecs() {
    const c = this.o.config.LaunchPool;
    return this.counts.top(Math.max(c.auto_top_k, 10), 1);
  }

  /** `binder_launch_host` of pool servers: badge_base_url, else the last launch's host. */
  private async launchHost(): Promise<string> {
    const configured = this.o.config.BinderHub.badge_base_url;
    if (configured) return configured;
    return (await this.o.redis.get(this.o.keys.key('pool', 'launch-host'))) ?? '';
  }

  /**
   * Stops refilling and takes every unclaimed server out, removing their hub users
   * (tests, and turning a pool off by hand). Servers already claimed are left alone.
   */
  async drain(ms = 120_000): Promise<number> {
    await this.close();
    const { redis, keys, hub } = this.o;
    return drainPool({ redis, keys, hub, log: this.log, owner: this.owner }, ms);
  }

  /** Stops refilling; stops the starts under way and removes their users (bounded). */
  async close(): Promise<void> {
    await this.refiller.close();
    await this.starter.close(15_000);
    await this.remover.close(5_000);
    await this.store.dropLease(this.owner).catch(() => undefined);
  }
}
