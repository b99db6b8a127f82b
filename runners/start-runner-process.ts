import type { Registry } from 'prom-client';
import type { Config } from '../queue/config/index.js';
import { createRedis, keyNames, type Logger } from '../queue/index.js';
import { createBackend } from './create-backend.js';
import { observerHooks } from './metrics/observer-hooks.js';
import { startRunnerObservability } from './metrics/runner-observability.js';
import { startRunner } from './runner.js';

export interface RunningRunner {
  /** Stop taking jobs; `force` leaves running builds for another runner to re-attach to. */
  close(force?: boolean): Promise<void>;
}

/**
 * The `runner` command: the build backend (`Runner.backend`), what the runner shows
 * operators (metrics, heartbeat, `/health`, build events) and the worker itself.
 */
export async function startRunnerProcess(
  config: Config,
  log: Logger,
  o: {
    /** `local`: the api's registry, so one process serves one `/metrics`. */
    registry?: Registry;
  } = {},
): Promise<RunningRunner> {
  const backend = await createBackend(config, log);
  const opsRedis = createRedis(config.Redis.url, 'command');
  const ops = await startRunnerObservability({
    config,
    redis: opsRedis,
    keys: keyNames(config.Redis.key_prefix),
    log,
    registry: o.registry,
  });
  const runner = startRunner({ config, backend, log, hooks: observerHooks(ops.observer) });
  log.info({ backend: backend.name, concurrency: config.Runner.concurrency }, 'runner started');
  return {
    async close(force = false) {
      await runner.close(force);
      await ops.close();
      opsRedis.disconnect();
    },
  };
}
