import type { Queue } from 'bullmq';
import type { BuildJob, BuildResult } from './build-job.js';
import type { BuildQueue } from './build-queue.js';

/**
 * The BullMQ queue behind the build queue, for bull-board's `BullMQAdapter` (the queue
 * dashboard), which takes nothing else. The one way api/ reaches BullMQ's own object.
 */
export function bullBoardQueue(buildQueue: BuildQueue): Queue<BuildJob, BuildResult> {
  return buildQueue.bullmq;
}
