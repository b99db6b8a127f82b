import type { Redis } from 'ioredis';
import {
  failedEvent,
  isNotStartedState,
  type BuildJob,
  type BuildQueue,
  type EventBus,
  type KeyNames,
} from '../../queue/index.js';
import { withRedisLock } from './redis-lock.js';

export interface CoalescerDeps {
  redis: Redis;
  keys: KeyNames;
  buildQueue: BuildQueue;
  bus: EventBus;
  /** BullMQ priority of pre-builds: a pending job with a smaller one has a person waiting. */
  prebuildPriority: number;
  /** A pending pre-build waits at most this long for the running one (safety net). */
  maxWaitMs: number;
  /** Seconds a superseded build's `failed` event is kept. */
  historyTtlSeconds: number;
}

export type CoalesceOutcome =
  /** enqueued (or re-queued after a failure): runs when a runner is free */
  | 'queued'
  | 'requeued'
  /** a job for this image exists already (a launch, or the same commit pushed again) */
  | 'attached'
  /** enqueued, delayed until this ref's running pre-build ends */
  | 'waiting'
  /** a newer push to this ref was handled already: nothing done */
  | 'stale';

export interface CoalesceResult {
  outcome: CoalesceOutcome;
  /** the pending pre-build this push replaced, if any */
  superseded?: string;
  /** the running build this one waits for, if any */
  blocker?: string;
}

/** Per-ref state: the newest pre-build (`last`), what it waits for, and its push. */
interface RefState {
  last?: string;
  blocker?: string;
  sha?: string;
  at?: string;
}

const STATE_TTL_SECONDS = 30 * 86400;

/**
 * Coalesces the pre-builds of one ref (a branch or tag of a repository): at most one
 * running and one pending, the pending one always the newest push. A new push removes
 * the pending job it replaces (unless a person waits for it) and, while an older one
 * runs, is added delayed and promoted when that ends (`promoteIfUnblocked`). Job ids
 * stay the build names, so a launch of a pending commit attaches to its job.
 */
export class PushCoalescer {
  constructor(private readonly d: CoalescerDeps) {}

  private stateKey(refKey: string): string {
    return this.d.keys.key('prebuild', refKey, 'state');
  }

  private lock<T>(refKey: string, fn: () => Promise<T>): Promise<T> {
    const key = this.d.keys.key('prebuild', refKey, 'lock');
    return withRedisLock(this.d.redis, key, { ttlMs: 30_000, waitMs: 60_000 }, fn);
  }

  /** Enqueue the pre-build `job` for the ref `refKey`, pushed at `receivedAt`. */
  submit(refKey: string, job: BuildJob, receivedAt: number): Promise<CoalesceResult> {
    return this.lock(refKey, async () => {
      const state = (await this.d.redis.hgetall(this.stateKey(refKey))) as RefState;
      if (state.last && Number(state.at) > receivedAt && state.sha !== job.ref) {
        return { outcome: 'stale' };
      }
      const same = state.last === job.buildName;
      let retired: { blocker?: string; superseded?: string } = {};
      if (state.last && !same) retired = await this.retire(state.last, state.blocker, job);
      else if (same && state.blocker && !(await this.isFinished(state.blocker))) {
        retired = { blocker: state.blocker }; // the same commit again: it still waits
      }
      const { blocker } = retired;
      const delayMs = blocker ? this.d.maxWaitMs : 0;
      const { outcome } = await this.d.buildQueue.enqueue(job, { delayMs });
      const waits = blocker !== undefined && (outcome !== 'attached' || same);
      await this.saveState(refKey, {
        last: job.buildName,
        blocker: waits ? blocker : '',
        sha: job.ref,
        at: String(receivedAt),
      });
      return {
        outcome: waits ? 'waiting' : outcome,
        ...(retired.superseded ? { superseded: retired.superseded } : {}),
        ...(waits ? { blocker } : {}),
      };
    });
  }

  /**
   * The previous pre-build of a ref, now that a newer push arrived: a running one is
   * kept and becomes the blocker; a pending one is removed (unless a person waits on
   * it); its own blocker, if still unfinished, is inherited.
   */
  private async retire(
    last: string,
    lastBlocker: string | undefined,
    next: BuildJob,
  ): Promise<{ blocker?: string; superseded?: string }> {
    const job = await this.d.buildQueue.find(last);
    if (job?.state === 'active') return { blocker: last };
    if (job && isNotStartedState(job.state)) {
      const someoneWaits = job.data.trigger !== 'push' || job.priority < this.d.prebuildPriority;
      if (someoneWaits) return { blocker: last };
      const removed = await this.d.buildQueue.remove(last);
      if (!removed) return { blocker: last }; // it just started
      await this.announceSuperseded(last, next);
      const inherited = lastBlocker && !(await this.isFinished(lastBlocker)) ? lastBlocker : '';
      return { superseded: last, ...(inherited ? { blocker: inherited } : {}) };
    }
    if (lastBlocker && !(await this.isFinished(lastBlocker))) return { blocker: lastBlocker };
    return {};
  }

  /** Anyone following a removed build learns why, instead of waiting forever. */
  private async announceSuperseded(buildName: string, next: BuildJob): Promise<void> {
    await this.d.bus.publish(
      buildName,
      failedEvent(
        `This pre-build was superseded by a newer push (${next.ref.slice(0, 12)}) and will not run. Launch again to build it.`,
      ),
    );
    await this.d.bus.expire(buildName, this.d.historyTtlSeconds);
  }

  private isFinished(buildName: string): Promise<boolean> {
    return this.d.buildQueue.isFinished(buildName);
  }

  private async saveState(refKey: string, state: Required<RefState>): Promise<void> {
    const key = this.stateKey(refKey);
    await this.d.redis.multi().hset(key, state).expire(key, STATE_TTL_SECONDS).exec();
  }

  /**
   * Starts the ref's delayed pre-build once the build it waits for has finished. Returns
   * true when nothing waits any more (promoted, or nothing to do), false while it does.
   */
  promoteIfUnblocked(refKey: string): Promise<boolean> {
    return this.lock(refKey, async () => {
      const state = (await this.d.redis.hgetall(this.stateKey(refKey))) as RefState;
      if (!state.blocker || !state.last) return true;
      if (!(await this.isFinished(state.blocker))) return false;
      await this.d.buildQueue.promote(state.last);
      await this.d.redis.hset(this.stateKey(refKey), 'blocker', '');
      return true;
    });
  }
}
