import { readQueueSnapshot, type SnapshotSource } from '../metrics/queue-snapshot.js';
import type { HealthCheck } from './health-checker.js';
import { within } from './within.js';

export interface QueueBacklogCheckOptions {
  /** The build queue. */
  buildQueue: SnapshotSource;
  /** `BuildQueue.interactive_priority`: whose waiting time is bounded. */
  interactivePriority: number;
  /** `Health.max_queue_backlog`: most builds waiting to start (0 = no limit). */
  maxBacklog: number;
  /** `Health.max_queue_wait`: most seconds the oldest interactive build may wait (0 = no limit). */
  maxWaitSeconds: number;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * `"Build queue"`: not too many builds waiting, and nobody waiting too long for one.
 * Pre-builds (webhooks) may wait; only builds a person asked for count for the wait.
 */
export function queueBacklogCheck(opts: QueueBacklogCheckOptions): HealthCheck {
  const now = opts.now ?? Date.now;
  return {
    service: 'Build queue',
    async run(signal) {
      const snap = await within(
        readQueueSnapshot(
          opts.buildQueue,
          [{ name: 'interactive', priority: opts.interactivePriority }],
          now(),
        ),
        opts.timeoutMs ?? 3000,
        'build queue',
        signal,
      );
      const waiting = snap.counts.waiting + snap.counts.prioritized;
      const oldest = snap.oldestWaitByClass.interactive ?? 0;
      const backlogOk = opts.maxBacklog === 0 || waiting <= opts.maxBacklog;
      const waitOk = opts.maxWaitSeconds === 0 || oldest <= opts.maxWaitSeconds;
      return {
        ok: backlogOk && waitOk,
        waiting,
        active: snap.counts.active,
        oldest_interactive_wait_seconds: Math.round(oldest),
      };
    },
  };
}
