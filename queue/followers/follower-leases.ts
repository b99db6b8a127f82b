import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyNames } from '../keys.js';
import type { Logger } from '../logger.js';
import type { BuildRunId } from './build-run-id.js';
import { KEEP_MEMBER_PREFIX } from './followed-until.js';

/** Follower records outlive the build by this much (they are tiny), then Redis drops them. */
const RECORD_TTL_SECONDS = 24 * 3600;

export interface FollowerLeasesOptions {
  redis: Redis;
  keys: KeyNames;
  /** `BuildQueue.follower_lease_seconds`: a lease not renewed for this long lapses. */
  leaseSeconds: number;
  log: Logger;
  now?: () => number;
}

interface Held {
  run: BuildRunId;
  count: number;
}

/**
 * An api process's claims that it follows builds, shared through Redis with every
 * runner: one member per api process in the run's sorted set (scored with the time its
 * lease ends), however many of its clients follow. Leases are renewed every third of
 * their length while a client follows; when the process's last client of a run leaves,
 * its lease ends now. A process that crashed stops counting when its lease runs out.
 */
export class FollowerLeases {
  /** This process's member name. */
  readonly owner = `api-${randomUUID()}`;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: FollowerLeasesOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Claims that a client of this process follows the run, until the returned release. */
  async hold(run: BuildRunId): Promise<() => void> {
    const id = `${run.buildName} ${run.requestedAt}`;
    const entry = this.held.get(id) ?? { run, count: 0 };
    entry.count++;
    this.held.set(id, entry);
    if (entry.count === 1) await this.write([entry.run], this.now() + this.leaseMs());
    this.timer ??= setInterval(() => void this.renew(), Math.max(1000, this.leaseMs() / 3));
    this.timer.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.count--;
      if (entry.count > 0) return;
      this.held.delete(id);
      void this.write([run], this.now());
      if (this.held.size === 0) this.stopTimer();
    };
  }

  /** Keeps the run for good (`why`: who wants its image although nobody may follow it). */
  async keep(run: BuildRunId, why: string): Promise<void> {
    const key = this.o.keys.buildFollowers(run.buildName, run.requestedAt);
    await this.o.redis
      .multi()
      .zadd(key, '+inf', `${KEEP_MEMBER_PREFIX}${why}`)
      .expire(key, RECORD_TTL_SECONDS)
      .exec();
  }

  /** Runs this process follows now (for tests and metrics). */
  get following(): number {
    return this.held.size;
  }

  /** Ends every lease of this process now (shutdown). */
  async close(): Promise<void> {
    this.stopTimer();
    const runs = [...this.held.values()].map((h) => h.run);
    this.held.clear();
    await this.write(runs, this.now());
  }

  private leaseMs(): number {
    return this.o.leaseSeconds * 1000;
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(): Promise<void> {
    return this.write(
      [...this.held.values()].map((h) => h.run),
      this.now() + this.leaseMs(),
    );
  }

  /** Sets this process's lease end on each run; a failure is logged (the lease then lapses). */
  private async write(runs: BuildRunId[], until: number): Promise<void> {
    if (runs.length === 0) return;
    const multi = this.o.redis.multi();
    for (const run of runs) {
      const key = this.o.keys.buildFollowers(run.buildName, run.requestedAt);
      multi.zadd(key, until, this.owner).expire(key, RECORD_TTL_SECONDS);
    }
    try {
      await multi.exec();
    } catch (err) {
      this.o.log.warn(
        { err: (err as Error).message, runs: runs.length },
        'follower lease not written',
      );
    }
  }
}
