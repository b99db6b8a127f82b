import { buildJobSchema, JobDelayedError, type EventBus, type Logger } from '../queue/index.js';
import type { BuildProcessor } from '../queue/build-worker.js';
import { repoKey } from '../queue/fairness/repo-key.js';
import { waiterRank, type RepoSlots } from '../queue/fairness/repo-slots.js';
import { retryRedis } from './retry-redis.js';

export interface RepoSlotGateDeps {
  slots: RepoSlots;
  bus: EventBus;
  log: Logger;
  /** The per-repository limit (for the message). */
  limit: number;
  leaseMs: number;
  /** Milliseconds a build refused a slot waits before it asks again (unless woken sooner). */
  recheckMs: number;
  /** Moves the named waiting builds to the front of their delay (a slot came free). */
  wake(buildNames: string[]): Promise<void>;
}

function waitingMessage(running: number, limit: number): string {
  const builds = running === 1 ? '1 build' : `${running} builds`;
  const why =
    running >= limit
      ? `${builds} of this repository already running (at most ${limit} at once here)`
      : 'other builds of this repository are first in line';
  return `Waiting for a build slot: ${why}. Your build starts when one ends.\n`;
}

/**
 * Wraps the build processor with the per-repository limit: a job whose repository has
 * all its slots taken goes back to the queue as a delayed job (its worker slot freed for
 * other repositories) and asks again after `recheckMs`, or at once when a build of its
 * repository ends. The first refusal tells the build's followers why they wait (a
 * `waiting` event placed before every log line of the build, so it is written once).
 */
export function repoSlotGate(inner: BuildProcessor, d: RepoSlotGateDeps): BuildProcessor {
  return async (job, signal) => {
    // A malformed job is refused by the processor itself, before anything runs.
    const parsed = buildJobSchema.safeParse(job.data);
    if (!parsed.success) return inner(job, signal);
    const repo = repoKey(parsed.data);
    const holder = parsed.data.buildName;
    const rank = waiterRank(job.priority, parsed.data.requestedAt);
    // Redis restarting is waited out, as every other step of a build does.
    const answer = await retryRedis(() => d.slots.acquire(repo, holder, rank), {
      log: d.log,
      what: 'repository slot',
      signal,
      giveUpAfterMs: 120_000,
    });
    if (!answer.granted) {
      const event = { phase: 'waiting', message: waitingMessage(answer.running, d.limit) };
      const at = { epochMs: parsed.data.requestedAt, seq: 0 };
      const id = await d.bus.publish(holder, event, at).catch(() => undefined);
      if (id)
        await job.log(`${new Date().toISOString()} ${event.message.trim()}`).catch(() => undefined);
      d.log.info(
        { build: holder, running: answer.running },
        'build waits for a slot of its repository',
      );
      throw new JobDelayedError(Date.now() + d.recheckMs);
    }
    const renew = setInterval(
      () => {
        d.slots.renew(repo, holder).catch((err: Error) => {
          d.log.warn({ build: holder, err: err.message }, 'repository slot: lease not renewed');
        });
      },
      Math.max(1000, Math.floor(d.leaseMs / 3)),
    );
    try {
      return await inner(job, signal);
    } finally {
      clearInterval(renew);
      const waiters = await d.slots.release(repo, holder).catch((err: Error) => {
        d.log.warn(
          { build: holder, err: err.message },
          'repository slot: not given back (expires)',
        );
        return [] as string[];
      });
      if (waiters.length > 0) await d.wake(waiters).catch(() => undefined);
    }
  };
}
