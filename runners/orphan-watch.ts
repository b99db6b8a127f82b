import type { Redis } from 'ioredis';
import type { KeyNames, Logger } from '../queue/index.js';
import type { BuildRunId } from '../queue/followers/build-run-id.js';
import { followedUntil } from '../queue/followers/followed-until.js';

export interface OrphanWatchOptions {
  redis: Redis;
  keys: KeyNames;
  run: BuildRunId;
  /** `BuildQueue.orphan_grace_seconds` in ms. */
  graceMs: number;
  /** How often to look (ms). */
  intervalMs: number;
  /**
   * After Redis could not be read, the run counts as followed for this long (ms; the api's
   * lease renewal interval): leases the api could not renew meanwhile get renewed first.
   */
  settleMs: number;
  log: Logger;
  /** Called once, when the run has had no follower for the grace period. */
  onOrphan(reason: string): void;
  /** Called after each look (whatever it found). */
  onLooked?(): void;
  now?: () => number;
}

/**
 * Whether a run whose followers' leases end at `until` (ms; undefined = never tracked,
 * Infinity = kept) is orphaned at `now`: nobody followed it for `graceMs`.
 */
export function isOrphaned(until: number | undefined, now: number, graceMs: number): boolean {
  return until !== undefined && Number.isFinite(until) && now - until >= graceMs;
}

/**
 * Watches who follows an interactive build (FollowerLeases, written by every api
 * process) and calls `onOrphan` once nobody has for the grace period. A run nobody ever
 * registered for is not tracked; a kept run is never orphaned. Returns `stop`.
 */
export function watchOrphan(o: OrphanWatchOptions): () => void {
  const now = o.now ?? Date.now;
  let stopped = false;
  let busy = false;
  let lastErrorAt = -Infinity;
  const look = async () => {
    if (stopped || busy) return;
    busy = true;
    try {
      const until = await followedUntil(o.redis, o.keys, o.run);
      const at = now();
      if (!stopped && at - lastErrorAt >= o.settleMs && isOrphaned(until, at, o.graceMs)) {
        stopped = true;
        clearInterval(timer);
        const seconds = Math.round((at - until!) / 1000);
        o.onOrphan(
          `Build cancelled: nobody was waiting for it any more (the last client left ${seconds} s ago; BuildQueue.orphan_grace_seconds is ${Math.round(o.graceMs / 1000)})`,
        );
      }
    } catch (err) {
      lastErrorAt = now();
      o.log.warn({ err: (err as Error).message }, 'could not read who follows the build');
    } finally {
      busy = false;
      o.onLooked?.();
    }
  };
  const timer = setInterval(() => void look(), o.intervalMs);
  timer.unref();
  void look();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
