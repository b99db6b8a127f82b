import type { Redis } from 'ioredis';
import { isLive, parseHeartbeats } from '../../queue/heartbeat/runner-heartbeat.js';
import type { HealthCheck } from './health-checker.js';
import { within } from './within.js';

export interface LiveRunnerCheckOptions {
  redis: Redis;
  /** `keyNames(prefix).runners()`. */
  runnersKey: string;
  /** `Runner.heartbeat_interval`: live = a heartbeat newer than 3 intervals. */
  intervalSeconds: number;
  /** `Health.require_live_runner`: when false the check is reported but never fails `/health`. */
  required: boolean;
  timeoutMs?: number;
  now?: () => number;
}

/** `"Build runners"`: at least one runner sent a heartbeat within 3 heartbeat intervals. */
export function liveRunnerCheck(opts: LiveRunnerCheckOptions): HealthCheck {
  const now = opts.now ?? Date.now;
  return {
    service: 'Build runners',
    ignoreFailure: !opts.required,
    async run(signal) {
      const hash = await within(
        opts.redis.hgetall(opts.runnersKey),
        opts.timeoutMs ?? 3000,
        'Redis',
        signal,
      );
      const beats = parseHeartbeats(hash);
      const t = now();
      const live = beats.filter((b) => isLive(b, t, opts.intervalSeconds));
      return {
        ok: live.length > 0,
        live: live.length,
        stale: beats.length - live.length,
        active_builds: live.reduce((sum, b) => sum + b.active, 0),
      };
    },
  };
}
