import type { Redis } from 'ioredis';
import type { Config } from '../../queue/config/index.js';
import type { HealthCheck } from './health-checker.js';
import { liveRunnerCheck } from './live-runner-check.js';
import { queueBacklogCheck } from './queue-backlog-check.js';
import type { SnapshotSource } from '../metrics/queue-snapshot.js';

/**
 * The `/health` checks beyond upstream's: `"Build runners"` (a live runner exists) and
 * `"Build queue"` (backlog and interactive wait within `Health.*`). Add them to the
 * standard checks (hub, registry, Redis) when building the HealthChecker.
 */
export function operatorHealthChecks(deps: {
  config: Pick<Config, 'Health' | 'Runner' | 'BuildQueue'>;
  redis: Redis;
  /** `keyNames(prefix).runners()`. */
  runnersKey: string;
  buildQueue: SnapshotSource;
  now?: () => number;
}): HealthCheck[] {
  const { Health, Runner, BuildQueue } = deps.config;
  return [
    liveRunnerCheck({
      redis: deps.redis,
      runnersKey: deps.runnersKey,
      intervalSeconds: Runner.heartbeat_interval,
      forgetAfterSeconds: Runner.forget_after,
      required: Health.require_live_runner,
      now: deps.now,
    }),
    queueBacklogCheck({
      buildQueue: deps.buildQueue,
      interactivePriority: BuildQueue.interactive_priority,
      maxBacklog: Health.max_queue_backlog,
      maxWaitSeconds: Health.max_queue_wait,
      now: deps.now,
    }),
  ];
}
