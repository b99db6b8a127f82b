import type { Redis } from 'ioredis';
import type { KeyNames } from '../keys.js';
import { acquireSlotScript, releaseSlotScript, renewSlotScript } from './repo-slots-scripts.js';

export interface RepoSlotsOptions {
  redis: Redis;
  keys: KeyNames;
  /** Builds of one repository running at once, across all runners (`BuildQueue.per_repo_concurrency`). */
  limit: number;
  /** Milliseconds a slot is held without renewal (a dead runner's slot comes back after this). */
  leaseMs: number;
  /** Milliseconds after which a waiter that stopped asking is forgotten. */
  staleMs: number;
  now?: () => number;
}

export type SlotAnswer = { granted: true } | { granted: false; running: number };

/** Lower ranks go first: the queue's priority, then the time the build was asked for. */
export function waiterRank(priority: number, requestedAt: number): string {
  return String(Math.max(0, Math.trunc(priority)) * 1e13 + Math.max(0, Math.trunc(requestedAt)));
}

/**
 * Per-repository build slots in Redis, shared by every runner: at most `limit` builds of
 * one repository hold a slot at once. A slot is a lease renewed while its build runs, so a
 * runner that dies gives its slots back within `leaseMs`. Builds refused a slot are
 * remembered as waiters, ranked, and named when a slot is given back.
 */
export class RepoSlots {
  private readonly now: () => number;

  constructor(private readonly o: RepoSlotsOptions) {
    this.now = o.now ?? Date.now;
  }

  private slotsKey(repo: string): string {
    return this.o.keys.key('repo-slots', repo, 'running');
  }

  private waitersKeys(repo: string): [string, string] {
    return [
      this.o.keys.key('repo-slots', repo, 'waiting'),
      this.o.keys.key('repo-slots', repo, 'seen'),
    ];
  }

  async acquire(repo: string, holder: string, rank: string): Promise<SlotAnswer> {
    const reply = await acquireSlotScript.run(
      this.o.redis,
      [this.slotsKey(repo), ...this.waitersKeys(repo)],
      [holder, this.now(), this.o.leaseMs, this.o.limit, rank, this.o.staleMs],
    );
    const running = Number(reply);
    return running < 0 ? { granted: true } : { granted: false, running };
  }

  async renew(repo: string, holder: string): Promise<void> {
    await renewSlotScript.run(
      this.o.redis,
      [this.slotsKey(repo)],
      [holder, this.now() + this.o.leaseMs, this.o.leaseMs * 2],
    );
  }

  /** Gives the slot back; returns the waiters to wake (at most `limit`). */
  async release(repo: string, holder: string): Promise<string[]> {
    const reply = await releaseSlotScript.run(
      this.o.redis,
      [this.slotsKey(repo), this.waitersKeys(repo)[0]],
      [holder, this.o.limit],
    );
    return Array.isArray(reply) ? reply.map(String) : [];
  }

  /** Holders of a repository's slots now (expired leases excluded). */
  async running(repo: string): Promise<string[]> {
    return this.o.redis.zrangebyscore(this.slotsKey(repo), `(${this.now()}`, '+inf');
  }
}
