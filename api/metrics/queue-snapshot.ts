import type { BuildQueue, JobState } from '../../queue/index.js';

/** What the snapshot reads of the build queue. */
export type SnapshotSource = Pick<BuildQueue, 'counts' | 'countsPerPriority' | 'prioritizedAt'>;

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
  queue: SnapshotSource,
  classes: readonly PriorityClass[],
  now: number,
): Promise<QueueSnapshot> {
  const counts = await queue.counts();
  const sorted = [...new Map(classes.map((c) => [c.priority, c])).values()].sort(
    (a, b) => a.priority - b.priority,
  );
  const perPriority = await queue.countsPerPriority(sorted.map((c) => c.priority));
  const waitingByClass: Record<string, number> = {};
  const oldestWaitByClass: Record<string, number> = {};
  let offset = 0;
  for (const c of sorted) {
    const n = perPriority[String(c.priority)] ?? 0;
    waitingByClass[c.name] = n;
    if (n > 0) {
      const first = await queue.prioritizedAt(offset);
      if (first && first.priority === c.priority) {
        oldestWaitByClass[c.name] = Math.max(0, (now - first.queuedAt) / 1000);
      }
    }
    offset += n;
  }
  return { counts, waitingByClass, oldestWaitByClass };
}
