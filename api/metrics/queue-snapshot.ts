import type { Queue } from 'bullmq';

/** Job states BullMQ 6 counts (it has no separate paused state). */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'failed',
  'completed',
  'waiting-children',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface PriorityClass {
  /** `interactive` or `prebuild`. */
  name: string;
  priority: number;
}

export interface QueueSnapshot {
  counts: Record<JobState, number>;
  /** Jobs waiting to start, per priority class. */
  waitingByClass: Record<string, number>;
  /** Seconds the oldest waiting job of each class has waited (absent: none waiting). */
  oldestWaitByClass: Record<string, number>;
}

/**
 * Reads what the operator's metrics and health checks need from the build queue, in a few
 * cheap Redis calls. The prioritized set is ordered by priority, then first in first out,
 * so the oldest job of a priority sits right after all jobs of higher priority.
 */
export async function readQueueSnapshot(
  queue: Queue,
  classes: readonly PriorityClass[],
  now: number,
): Promise<QueueSnapshot> {
  const raw = await queue.getJobCounts(...JOB_STATES);
  const counts = Object.fromEntries(
    JOB_STATES.map((s) => [s, raw[s] ?? 0]),
  ) as QueueSnapshot['counts'];
  const sorted = [...new Map(classes.map((c) => [c.priority, c])).values()].sort(
    (a, b) => a.priority - b.priority,
  );
  const perPriority = await queue.getCountsPerPriority(sorted.map((c) => c.priority));
  const waitingByClass: Record<string, number> = {};
  const oldestWaitByClass: Record<string, number> = {};
  let offset = 0;
  for (const c of sorted) {
    const n = perPriority[String(c.priority)] ?? 0;
    waitingByClass[c.name] = n;
    if (n > 0) {
      const [first] = await queue.getPrioritized(offset, offset);
      if (first && first.opts.priority === c.priority) {
        oldestWaitByClass[c.name] = Math.max(0, (now - first.timestamp) / 1000);
      }
    }
    offset += n;
  }
  return { counts, waitingByClass, oldestWaitByClass };
}
