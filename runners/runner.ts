import { Queue, Worker } from 'bullmq';
import type { Config } from '../queue/config/index.js';
import {
  createRedis,
  keyNames,
  eventBusLimits,
  failedEvent,
  RedisEventBus,
  type BuildJob,
  type BuildResult,
  type Logger,
} from '../queue/index.js';
import { LastGoodStore } from '../queue/last-good/last-good-store.js';
import type { HostLookup } from '../queue/url-policy/check-repo-host.js';
import type { BuildBackend } from './build-backend.js';
import { createBuildProcessor, type BuildHooks } from './process-build.js';
import { retryRedis } from './retry-redis.js';
import { RepoSlots } from '../queue/fairness/repo-slots.js';
import { ImageUse } from '../queue/registry-retention/image-use.js';
import { repoSlotGate } from './repo-slot-gate.js';

export interface RunnerOptions {
  config: Config;
  backend: BuildBackend;
  log: Logger;
  hooks?: BuildHooks;
  /** DNS for the URL policy (the system resolver by default). */
  lookupHost?: HostLookup;
  /** Lock and stall timings (ms); defaults re-pick a dead runner's job within ~20 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface Runner {
  worker: Worker<BuildJob, BuildResult>;
  bus: RedisEventBus;
  /** Stop taking jobs; `force` leaves running builds for another runner to re-attach to. */
  close(force?: boolean): Promise<void>;
}

/** A build runner: a BullMQ worker on the build queue, publishing events to the bus. */
export function startRunner(o: RunnerOptions): Runner {
  const { config } = o;
  const keys = keyNames(config.Redis.key_prefix);
  const command = createRedis(config.Redis.url, 'command');
  const bus = new RedisEventBus({
    redis: command,
    keys,
    ...eventBusLimits(config.BuildQueue),
  });
  const processor = createBuildProcessor({
    config,
    backend: o.backend,
    bus,
    log: o.log,
    hooks: o.hooks,
    lookupHost: o.lookupHost,
    followers: { redis: command, keys },
    lastGood: new LastGoodStore({
      redis: command,
      keys,
      ttlSeconds: config.BuildQueue.last_good_ttl,
      imagePrefix: config.BinderHub.image_prefix,
    }),
    imageUse: new ImageUse(command, keys),
  });
  const q = config.BuildQueue;
  // Waiting builds woken when a build of their repository ends (promoted out of their delay).
  const queue = new Queue<BuildJob, BuildResult>(q.name, {
    connection: command,
    prefix: config.Redis.key_prefix,
  });
  const gated =
    q.per_repo_concurrency > 0
      ? repoSlotGate(processor, {
          slots: new RepoSlots({
            redis: command,
            keys,
            limit: q.per_repo_concurrency,
            leaseMs: q.per_repo_lease * 1000,
            staleMs: Math.max(q.per_repo_recheck * 6, q.per_repo_lease) * 1000,
          }),
          bus,
          log: o.log,
          limit: q.per_repo_concurrency,
          leaseMs: q.per_repo_lease * 1000,
          recheckMs: q.per_repo_recheck * 1000,
          wake: async (names) => {
            for (const name of names) {
              const waiting = await queue.getJob(name);
              if (waiting && (await waiting.isDelayed()))
                await waiting.promote().catch(() => undefined);
            }
          },
        })
      : processor;
  const connection = createRedis(config.Redis.url, 'worker');
  const worker = new Worker<BuildJob, BuildResult>(config.BuildQueue.name, gated, {
    connection,
    prefix: config.Redis.key_prefix,
    concurrency: config.Runner.concurrency,
    lockDuration: o.lockDurationMs ?? 10_000,
    stalledInterval: o.stalledIntervalMs ?? 5_000,
    maxStalledCount: 3,
    // An idle worker blocks on the queue's marker for this many seconds per round trip;
    // a new job wakes it at once. BullMQ's default (5 s) doubles the idle polling, and
    // BullMQ caps its own blocking at 10 s (reconnections, #1658).
    drainDelay: 10,
  });
  worker.on('error', (err) => o.log.error({ err: err.message }, 'worker error'));
  worker.on('failed', (job, err) => {
    // A job failed without our processor finishing it (stalled too often, lost lock):
    // make sure the people waiting hear about it.
    if (job && err.message.includes('stalled')) {
      const event = failedEvent(`Build failed: ${err.message}. Reload the page to try again.`);
      retryRedis(() => bus.publish(job.data.buildName, event), {
        log: o.log,
        what: 'failed event of a stalled build',
        giveUpAfterMs: 120_000,
      }).catch(() => undefined);
    }
  });
  return {
    worker,
    bus,
    async close(force = false) {
      await worker.close(force);
      await queue.close();
      await bus.close();
      command.disconnect();
      connection.disconnect();
    },
  };
}
