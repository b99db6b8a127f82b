import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { buildJobSchema, jobDisplayName, type BuildJob, type BuildResult } from './build-job.js';
import { isTerminalBuildEvent } from './build-event.js';
import type { EventBus } from './event-bus.js';
import { isFinishedState, JOB_STATES, type JobState, type ReadJobState } from './job-states.js';
import { queuedBuild, type QueuedBuild } from './queued-build.js';
import { withTimeout } from './with-timeout.js';

export interface BuildQueueOptions {
  name: string;
  /** BullMQ key prefix (the deployment's Redis prefix). */
  prefix: string;
  connection: Redis;
  bus: EventBus;
  interactivePriority: number;
  prebuildPriority: number;
  keepCompleted: number;
  keepFailed: number;
}

export type EnqueueOutcome =
  /** a new job was added */
  | 'queued'
  /** a job for this image already waits or runs: attach to it */
  | 'attached'
  /** the previous attempt failed; it was removed and a new job added */
  | 'requeued';

export interface EnqueueOptions {
  /** Add a new job delayed by this many ms (a pre-build waiting for its repository's running one). */
  delayMs?: number;
}

export interface EnqueueResult {
  outcome: EnqueueOutcome;
  /** The job queued or attached to (its id is the build name). */
  job: QueuedBuild;
}

/**
 * The build queue, for every process: the job id is the build name, so N concurrent
 * requests for one image make one job; interactive launches outrank pre-builds. BullMQ
 * stays behind it (ESLint forbids importing `bullmq` outside `queue/`): callers get
 * job states, counts and plain `QueuedBuild` views.
 */
export class BuildQueue {
  /**
   * The BullMQ queue itself: for `bullBoardQueue` (bull-board's adapter takes nothing
   * else) and for tests that forge or inspect jobs. ESLint forbids `.bullmq` in api/,
   * runners/ and bin/.
   */
  readonly bullmq: Queue<BuildJob, BuildResult>;

  constructor(private readonly opts: BuildQueueOptions) {
    this.bullmq = new Queue<BuildJob, BuildResult>(opts.name, {
      connection: opts.connection,
      prefix: opts.prefix,
    });
  }

  /** Adds the job, or attaches to the one already there; fails after 10 s without Redis. */
  enqueue(data: BuildJob, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    return withTimeout(this.enqueueNow(data, options), 10_000, 'Redis (the build queue)');
  }

  private async enqueueNow(data: BuildJob, options: EnqueueOptions): Promise<EnqueueResult> {
    const job = buildJobSchema.parse(data);
    const priority =
      job.trigger === 'launch' ? this.opts.interactivePriority : this.opts.prebuildPriority;
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.bullmq.getJob(job.buildName);
      if (existing) {
        const state = await existing.getState();
        if (isFinishedState(state)) {
          // A finished job of the same name: its image is absent (else nobody would ask),
          // so build again. Forget its events first so followers see only the new run.
          await existing.remove().catch(() => undefined);
          await this.opts.bus.reset(job.buildName);
          const added = await this.add(job, priority, options.delayMs);
          if (added.id === job.buildName && (await added.getState()) !== 'unknown')
            return { outcome: 'requeued', job: queuedBuild(added) };
          continue;
        }
        if (job.trigger === 'launch' && (state === 'prioritized' || state === 'delayed')) {
          // A person now waits for a pre-build: move it to the front (and out of its delay).
          await existing.changePriority({ priority }).catch(() => undefined);
          if (state === 'delayed') await existing.promote().catch(() => undefined);
        }
        // One log line per extra requester: the dashboard's Logs tab counts who waits.
        await existing
          .log(`${new Date().toISOString()} another ${job.trigger} request attached (${state})`)
          .catch(() => undefined);
        return { outcome: 'attached', job: queuedBuild(existing) };
      }
      // History left by an earlier, finished run (its job since trimmed) must not be
      // replayed to followers of the new run; a live run's history is kept.
      const last = await this.opts.bus.lastEvent(job.buildName);
      if (last && isTerminalBuildEvent(last.event)) await this.opts.bus.reset(job.buildName);
      const added = await this.add(job, priority, options.delayMs);
      return { outcome: 'queued', job: queuedBuild(added) };
    }
    throw new Error(`could not enqueue ${job.buildName}: the job changed state repeatedly`);
  }

  /**
   * The state of a build's job (`waiting`, `active`, `completed`, `failed`, …) and why it
   * failed, if it did; undefined when there is no such job (any more).
   */
  async jobState(
    buildName: string,
  ): Promise<{ state: ReadJobState; failedReason?: string } | undefined> {
    const job = await this.bullmq.getJob(buildName);
    if (!job) return undefined;
    const state = await job.getState();
    return { state, ...(job.failedReason ? { failedReason: job.failedReason } : {}) };
  }

  /** A build's job and its state; undefined when there is no such job (any more). */
  async find(buildName: string): Promise<(QueuedBuild & { state: ReadJobState }) | undefined> {
    const job = await this.bullmq.getJob(buildName);
    if (!job) return undefined;
    return { ...queuedBuild(job), state: await job.getState() };
  }

  /** True when the build's job is finished or gone (`isFinishedState`). */
  async isFinished(buildName: string): Promise<boolean> {
    const job = await this.jobState(buildName);
    return !job || isFinishedState(job.state);
  }

  /** Starts a delayed job now (out of its delay); false when it was not delayed (any more). */
  async promote(buildName: string): Promise<boolean> {
    const job = await this.bullmq.getJob(buildName);
    if (!job || !(await job.isDelayed())) return false;
    return job.promote().then(
      () => true,
      () => false,
    );
  }

  /** Removes a job that no runner holds; false when it could not (it just started). */
  async remove(buildName: string): Promise<boolean> {
    const job = await this.bullmq.getJob(buildName);
    if (!job) return true;
    return job.remove().then(
      () => true,
      () => false,
    );
  }

  /**
   * The jobs in one state, from position `start` to `end` (inclusive), newest first; one
   * entry per position, undefined where a job vanished while it was read (for paging).
   */
  async list(state: JobState, start: number, end: number): Promise<Array<QueuedBuild | undefined>> {
    const jobs = await this.bullmq.getJobs([state], start, end);
    return jobs.map((j) => (j?.data ? queuedBuild(j) : undefined));
  }

  /** How many jobs are in each state. */
  async counts(): Promise<Record<JobState, number>> {
    const raw = await this.bullmq.getJobCounts(...JOB_STATES);
    return Object.fromEntries(JOB_STATES.map((s) => [s, raw[s] ?? 0])) as Record<JobState, number>;
  }

  /** How many jobs wait to start with each of these priorities. */
  async countsPerPriority(priorities: number[]): Promise<Record<string, number>> {
    return this.bullmq.getCountsPerPriority(priorities);
  }

  /**
   * The job at `offset` in the prioritized set (ordered by priority, then first in first
   * out), or undefined when there is none.
   */
  async prioritizedAt(offset: number): Promise<QueuedBuild | undefined> {
    const [job] = await this.bullmq.getPrioritized(offset, offset);
    return job ? queuedBuild(job) : undefined;
  }

  private add(job: BuildJob, priority: number, delayMs = 0): Promise<Job<BuildJob, BuildResult>> {
    return this.bullmq.add(jobDisplayName(job), job, {
      jobId: job.buildName,
      priority,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
      attempts: 1,
      removeOnComplete: { count: this.opts.keepCompleted },
      removeOnFail: { count: this.opts.keepFailed },
    });
  }

  close(): Promise<void> {
    return this.bullmq.close();
  }
}
