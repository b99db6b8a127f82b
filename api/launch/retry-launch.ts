import type { Logger } from '../../queue/index.js';
import { backoffMs, sleep } from './hub-client.js';
import { LaunchError, type LaunchProgress, type LaunchResult } from './launcher.js';

export interface RetryLaunchOptions {
  retries: number;
  retryDelayMs: number;
  log: Logger;
  /** What each failed attempt's log line names (the user, the image). */
  logFields: Record<string, unknown>;
  image: string;
}

/**
 * Upstream's launch retries: up to `retries` attempts with backoff between them, saying
 * so to the client; a refusal (a 4xx `LaunchError`) or a client that left ends it at once.
 */
export async function retryLaunch(
  o: RetryLaunchOptions,
  onProgress: LaunchProgress,
  signal: AbortSignal,
  attempt: () => Promise<Omit<LaunchResult, 'attempt'>>,
): Promise<LaunchResult> {
  let last: Error | undefined;
  for (let n = 0; n < o.retries; n++) {
    if (n > 0) {
      onProgress(`Launch attempt ${n} failed, retrying...`);
      await sleep(backoffMs(o.retryDelayMs, n - 1), signal);
    }
    try {
      return { ...(await attempt()), attempt: n };
    } catch (err) {
      if (signal.aborted) throw err;
      last = err as Error;
      o.log.warn({ err: last.message, attempt: n, ...o.logFields }, 'launch attempt failed');
      if (err instanceof LaunchError && err.status < 500) throw err;
    }
  }
  throw last instanceof LaunchError ? last : new LaunchError(`Failed to launch image ${o.image}`);
}
