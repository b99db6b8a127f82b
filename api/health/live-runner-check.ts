import type { Redis } from 'ioredis';
import {
  FORGET_AFTER_SECONDS,
  readRunnerBeats,
} from '../../queue/heartbeat/forget-silent-runners.js';
import { isLive } from '../../queue/heartbeat/runner-heartbeat.js';
import type { HealthCheck } from './health-checker.js';
import { within } from './within.js';

export interface LiveRunnerCheckOptions {
  redis: Redis;
  /** `keyNames(prefix).runners()`. */
  runnersKey: string;
  /** `Runner.heartbeat_interval`: live = a heartbeat newer than 3 intervals. */
  intervalSeconds: number;
  /** `Runner.forget_after`: runners silent longer are gone, not stale. */
  forgetAfterSeconds?: number;
  /** `Health.require_live_runner`: when false the check is reported but never fails `/health`. */
  required: boolean;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * `"Build runners"`: at least one runner sent a heartbeat within 3 heartbeat intervals;
 * runners silent for longer than `Runner.forget_after` are dead and forgotten.
 */
export function liveRunnerCheck(opts: LiveRunnerCheckOptions): HealthCheck {
  const now = opts.now ?? Date.now;
  return {
    service: 'Build runners',
    ignoreFailure: !opts.required,
    async run(signal) {
      const t = now();
      const beats = await within(
        readRunnerBeats(
          opts.redis,
          opts.runnersKey,
          t,
          opts.forgetAfterSeconds ?? FORGET_AFTER_SECONDS,
        ),
        opts.timeoutMs ?? 3000,
        'Redis',
        signal,
      );
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
