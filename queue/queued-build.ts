import type { Job } from 'bullmq';
import type { BuildJob, BuildResult } from './build-job.js';

/** A build job as the queue holds it, without BullMQ's types (what api/ reads of a job). */
export interface QueuedBuild {
  /** The job's data as stored: written by the api, but check it before trusting it. */
  data: BuildJob;
  /** The queue priority (smaller runs first; a person waiting has the interactive one). */
  priority: number;
  /** ms epoch: added to the queue, picked up by a runner, finished. */
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Why it failed, when it did. */
  failedReason?: string;
}

/** The view of one BullMQ job. */
export function queuedBuild(job: Job<BuildJob, BuildResult>): QueuedBuild {
  return {
    data: job.data,
    priority: job.priority,
    queuedAt: job.timestamp,
    ...(job.processedOn ? { startedAt: job.processedOn } : {}),
    ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
  };
}
