import type { Logger } from '../../queue/index.js';
import type { LaunchUsers } from './launch-users.js';
import type { UserCleanup } from './user-cleanup.js';

export interface UserSweeperOptions {
  users: LaunchUsers;
  cleanup: UserCleanup;
  /** ms between sweeps. */
  intervalMs: number;
  /** A user whose launch made no progress for this long (ms) is abandoned. */
  idleMs: number;
  log: Logger;
  onSwept?: () => void;
  /** After each sweep: how many abandoned users are left (not removable yet). */
  onRemaining?: (n: number) => void;
}

export interface UserSweeper {
  /** One sweep now (also run every interval); resolves with the users removed. */
  sweep(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Removes temporary hub users whose launch was abandoned and whose cleanup did not
 * finish: its api process died, or the hub kept refusing for longer than a cleanup
 * tries. Each user taken is touched first, so other api replicas leave it alone while
 * this one removes it; one that cannot be removed yet is tried again a sweep later.
 */
export function startUserSweeper(o: UserSweeperOptions): UserSweeper {
  let running: Promise<string[]> | undefined;
  const closing = new AbortController();
  const sweepNow = async (): Promise<string[]> => {
    const removed: string[] = [];
    const users = await o.users.idleSince(Date.now() - o.idleMs).catch(() => [] as string[]);
    for (const user of users) {
      if (closing.signal.aborted) break;
      await o.users.touch(user);
      try {
        const timeout = AbortSignal.timeout(Math.min(o.idleMs, 120_000));
        await o.cleanup.remove(user, AbortSignal.any([timeout, closing.signal]));
        removed.push(user);
        o.onSwept?.();
      } catch (err) {
        o.log.warn({ user, err: (err as Error).message }, 'temporary user not removed yet');
      }
    }
    if (removed.length > 0) o.log.info({ users: removed }, 'removed abandoned temporary users');
    const left = await o.users.countIdleSince(Date.now() - o.idleMs).catch(() => undefined);
    if (left !== undefined) o.onRemaining?.(left);
    return removed;
  };
  const sweep = () => (running ??= sweepNow().finally(() => (running = undefined)));
  const timer = setInterval(() => void sweep(), o.intervalMs);
  timer.unref();
  return {
    sweep,
    async close() {
      closing.abort();
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
