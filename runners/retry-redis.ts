import { isTransientRedisError, type Logger } from '../queue/index.js';

export interface RetryRedisOptions {
  log: Logger;
  /** What is being written, for the log ("build event", "final event"…). */
  what: string;
  /** Stops retrying (the attempt in flight still finishes). */
  signal?: AbortSignal;
  /** Give up after this many ms of failures (default: never). */
  giveUpAfterMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs a Redis write until it succeeds: while Redis is down or restarting (connection
 * errors, LOADING…), it is tried again with backoff (doubling, capped). Writes retried
 * here must be idempotent (build events carry position-derived ids). A lasting error
 * (not transient), an aborted signal or `giveUpAfterMs` of failures ends the retries
 * with the last error.
 */
export async function retryRedis<T>(write: () => Promise<T>, o: RetryRedisOptions): Promise<T> {
  const first = o.firstDelayMs ?? 250;
  const max = o.maxDelayMs ?? 4000;
  let failingSince: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await write();
      if (failingSince !== undefined) {
        const seconds = (Date.now() - failingSince) / 1000;
        o.log.info({ what: o.what, attempts: attempt + 1, seconds }, 'Redis write went through');
      }
      return result;
    } catch (err) {
      const now = Date.now();
      failingSince ??= now;
      const expired = o.giveUpAfterMs !== undefined && now - failingSince > o.giveUpAfterMs;
      if (!isTransientRedisError(err) || o.signal?.aborted || expired) throw err;
      if (attempt === 0)
        o.log.warn({ what: o.what, err: (err as Error).message }, 'Redis unavailable: retrying');
      await pause(Math.min(max, first * 2 ** attempt), o.signal);
    }
  }
}
