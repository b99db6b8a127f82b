import type { Config } from '../queue/config/index.js';
import { createRedis, failedEvent, type Logger, type RedisEventBus } from '../queue/index.js';
import { createBuildWorker } from '../queue/build-worker.js';
import type { HostLookup } from '../queue/url-policy/check-repo-host.js';
import type { BuildBackend } from './build-backend.js';
import { createRunnerDeps } from './create-runner-deps.js';
import type { BuildHooks } from './process-build.js';
import { retryRedis } from './retry-redis.js';

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
  bus: RedisEventBus;
  /** Stop taking jobs; `force` leaves running builds for another runner to re-attach to. */
  close(force?: boolean): Promise<void>;
}

/** A build runner: a worker on the build queue, publishing events to the bus. */
export function startRunner(o: RunnerOptions): Runner {
  const { config, log } = o;
  const runtime = createRunnerDeps(config, log, o);
  const { bus, processor } = runtime.deps;
  const connection = createRedis(config.Redis.url, 'worker');
  const worker = createBuildWorker(processor, {
    name: config.BuildQueue.name,
    prefix: config.Redis.key_prefix,
    connection,
    concurrency: config.Runner.concurrency,
    lockDurationMs: o.lockDurationMs ?? 10_000,
    stalledIntervalMs: o.stalledIntervalMs ?? 5_000,
    onError: (err) => log.error({ err: err.message }, 'worker error'),
    // A job failed without our processor finishing it (stalled too often, lost lock):
    // make sure the people waiting hear about it.
    onLost: (buildName, message) => {
      const event = failedEvent(`Build failed: ${message}. Reload the page to try again.`);
      retryRedis(() => bus.publish(buildName, event), {
        log,
        what: 'failed event of a stalled build',
        giveUpAfterMs: 120_000,
      }).catch(() => undefined);
    },
  });
  return {
    bus,
    async close(force = false) {
      await worker.close(force);
      await runtime.close();
      connection.disconnect();
    },
  };
}
