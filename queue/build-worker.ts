import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BuildJob, BuildResult } from './build-job.js';
import { JobDelayedError, JobFailedError } from './job-outcomes.js';

/** One job as a runner's processor sees it. */
export interface RunningJob {
  /** The job's data as stored: check it (`buildJobSchema`) before trusting it. */
  readonly data: BuildJob;
  /** The queue priority (smaller runs first). */
  readonly priority: number;
  /** Adds a line to the job's own log (the dashboard's Logs tab). */
  log(line: string): Promise<unknown>;
}

/**
 * Runs one build job. Throw `JobFailedError` to fail it for good, `JobDelayedError` to put
 * it back delayed; `signal` aborts when the worker is closed.
 */
export type BuildProcessor = (job: RunningJob, signal?: AbortSignal) => Promise<BuildResult>;

export interface BuildWorkerOptions {
  /** `BuildQueue.name` and the deployment's Redis prefix. */
  name: string;
  prefix: string;
  /** A connection of its own (the worker blocks on it). */
  connection: Redis;
  concurrency: number;
  /** Lock and stall timings (ms): a dead runner's job is picked up again after about both. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  onError(err: Error): void;
  /** A job failed without its processor ending it (stalled too often, lock lost). */
  onLost(buildName: string, message: string): void;
}

export interface BuildWorker {
  /** Stop taking jobs; `force` leaves running ones for another worker to pick up. */
  close(force?: boolean): Promise<void>;
}

/** Translates the processor's outcomes into BullMQ's. */
function bullmqProcessor(process: BuildProcessor) {
  return async (job: Job<BuildJob, BuildResult>, token?: string, signal?: AbortSignal) => {
    try {
      return await process(job, signal);
    } catch (err) {
      if (err instanceof JobDelayedError) {
        await job.moveToDelayed(err.untilMs, token);
        throw new DelayedError();
      }
      if (err instanceof JobFailedError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

/** A BullMQ worker on the build queue, running `process` for each job. */
export function createBuildWorker(process: BuildProcessor, o: BuildWorkerOptions): BuildWorker {
  const worker = new Worker<BuildJob, BuildResult>(o.name, bullmqProcessor(process), {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: 3,
    // An idle worker blocks on the queue's marker for this many seconds per round trip;
    // a new job wakes it at once. BullMQ's default (5 s) doubles the idle polling, and
    // BullMQ caps its own blocking at 10 s (reconnections, #1658).
    drainDelay: 10,
  });
  worker.on('error', (err) => o.onError(err));
  worker.on('failed', (job, err) => {
    if (job && err.message.includes('stalled')) o.onLost(job.data.buildName, err.message);
  });
  return { close: (force = false) => worker.close(force) };
}
