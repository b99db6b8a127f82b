import type { Config } from '../queue/config/index.js';
import {
  BuildQueue,
  createRedis,
  eventBusLimits,
  keyNames,
  RedisEventBus,
  type Logger,
} from '../queue/index.js';
import type { BuildProcessor } from '../queue/build-worker.js';
import { RepoSlots } from '../queue/fairness/repo-slots.js';
import { LastGoodStore } from '../queue/last-good/last-good-store.js';
import { ImageUse } from '../queue/registry-retention/image-use.js';
import type { HostLookup } from '../queue/url-policy/check-repo-host.js';
import type { BuildBackend } from './build-backend.js';
import { createBuildProcessor, type BuildHooks } from './process-build.js';
import { repoSlotGate } from './repo-slot-gate.js';

export interface RunnerDepsOptions {
  backend: BuildBackend;
  /** Observers of each build (metrics, event log). */
  hooks?: BuildHooks;
  /** DNS for the URL policy (the system resolver by default). */
  lookupHost?: HostLookup;
}

/** What a runner's worker needs, built once from the configuration. */
export interface RunnerDeps {
  /** Command connection (events, leases, slots, records). */
  command: ReturnType<typeof createRedis>;
  bus: RedisEventBus;
  /** The build queue: to wake builds waiting for a slot of their repository. */
  buildQueue: BuildQueue;
  /** The build processor, behind the per-repository gate when there is one. */
  processor: BuildProcessor;
}

export interface RunnerRuntime {
  deps: RunnerDeps;
  close(): Promise<void>;
}

/** The per-repository gate (`BuildQueue.per_repo_concurrency` > 0), around `inner`. */
function gated(config: Config, log: Logger, inner: BuildProcessor, d: RunnerDeps): BuildProcessor {
  const q = config.BuildQueue;
  if (q.per_repo_concurrency <= 0) return inner;
  return repoSlotGate(inner, {
    slots: new RepoSlots({
      redis: d.command,
      keys: keyNames(config.Redis.key_prefix),
      limit: q.per_repo_concurrency,
      leaseMs: q.per_repo_lease * 1000,
      staleMs: Math.max(q.per_repo_recheck * 6, q.per_repo_lease) * 1000,
    }),
    bus: d.bus,
    log,
    limit: q.per_repo_concurrency,
    leaseMs: q.per_repo_lease * 1000,
    recheckMs: q.per_repo_recheck * 1000,
    // Waiting builds are woken when a build of their repository ends.
    wake: async (names) => {
      for (const name of names) await d.buildQueue.promote(name);
    },
  });
}

/**
 * The runner's composition root: builds every dependency of a runner's worker from the
 * validated configuration (the backend and the observers are passed in: the process
 * makes them, `startRunnerProcess`, or a test does).
 */
export function createRunnerDeps(config: Config, log: Logger, o: RunnerDepsOptions): RunnerRuntime {
  const keys = keyNames(config.Redis.key_prefix);
  const q = config.BuildQueue;
  const command = createRedis(config.Redis.url, 'command');
  const bus = new RedisEventBus({ redis: command, keys, ...eventBusLimits(q) });
  const buildQueue = new BuildQueue({
    name: q.name,
    prefix: config.Redis.key_prefix,
    connection: command,
    bus,
    interactivePriority: q.interactive_priority,
    prebuildPriority: q.prebuild_priority,
    keepCompleted: q.keep_completed,
    keepFailed: q.keep_failed,
  });
  const processor = createBuildProcessor({
    config,
    backend: o.backend,
    bus,
    log,
    hooks: o.hooks,
    lookupHost: o.lookupHost,
    followers: { redis: command, keys },
    lastGood: new LastGoodStore({
      redis: command,
      keys,
      ttlSeconds: q.last_good_ttl,
      imagePrefix: config.BinderHub.image_prefix,
    }),
    imageUse: new ImageUse(command, keys),
  });
  const deps: RunnerDeps = { command, bus, buildQueue, processor };
  deps.processor = gated(config, log, processor, deps);
  return {
    deps,
    async close() {
      await buildQueue.close();
      await bus.close();
      command.disconnect();
    },
  };
}
