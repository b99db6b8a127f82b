import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../../queue/index.js';
import {
  FORGET_AFTER_SECONDS,
  readRunnerBeats,
} from '../../queue/heartbeat/forget-silent-runners.js';
import { formatHeartbeat, type RunnerHeartbeat } from '../../queue/heartbeat/runner-heartbeat.js';

export interface HeartbeatWriter {
  /** Writes one heartbeat now (also done every interval). */
  beat(): Promise<void>;
  /** ms since epoch of the last heartbeat Redis accepted, if any. */
  lastSuccess(): number | undefined;
  /** Stops beating and removes this runner's entry. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  /** A connection that gives up on failed commands (not a worker's `maxRetriesPerRequest: null`). */
  redis: Redis;
  /** The runners hash: `keyNames(prefix).runners()`. */
  key: string;
  runnerId: string;
  /** `Runner.heartbeat_interval` (seconds; at least 1). */
  intervalSeconds: number;
  /** `Runner.forget_after`: entries of runners silent longer are removed (default 10 minutes). */
  forgetAfterSeconds?: number;
  /** Builds this runner is running now. */
  active: () => number;
  log: Logger;
  onFailure?: () => void;
  now?: () => number;
}

/** A runner id unique among live processes: `<hostname>-<pid>`. */
export function defaultRunnerId(): string {
  return `${hostname()}-${process.pid}`;
}

/**
 * `HSET <runners> <runnerId> {"at", "active"}` now and every interval, so the api can
 * tell whether any runner is alive (`/health`) and how busy each one is (`/metrics`).
 */
export function startHeartbeat(opts: HeartbeatOptions): HeartbeatWriter {
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ component: 'heartbeat', runner: opts.runnerId });
  let last: number | undefined;
  let stopped = false;
  let warned = false;

  const intervalMs = Math.max(1, opts.intervalSeconds) * 1000;
  let inflight: Promise<void> = Promise.resolve();
  const write = async (): Promise<void> => {
    if (stopped) return;
    const value: RunnerHeartbeat = { at: now(), active: opts.active() };
    try {
      await withTimeout(
        opts.redis.hset(opts.key, opts.runnerId, formatHeartbeat(value)),
        intervalMs,
      );
      last = value.at;
      warned = false;
      await readRunnerBeats(
        opts.redis,
        opts.key,
        value.at,
        opts.forgetAfterSeconds ?? FORGET_AFTER_SECONDS,
      );
    } catch (err) {
      opts.onFailure?.();
      if (!warned) log.warn({ err: (err as Error).message }, 'heartbeat not written');
      warned = true;
    }
  };

  const beat = (): Promise<void> => {
    inflight = inflight.then(write);
    return inflight;
  };

  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  void beat();

  return {
    beat,
    lastSuccess: () => last,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inflight;
      await withTimeout(opts.redis.hdel(opts.key, opts.runnerId), intervalMs).catch(
        () => undefined,
      );
    },
  };
}

/** Rejects when `promise` has not settled within `ms` (Redis down: ioredis may queue). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
