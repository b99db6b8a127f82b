import { TtlCache } from './ttl-cache.js';

/** One provider's resolution of a spec: the ref, and whether it can never change. */
export interface Resolution {
  ref: string;
  /** A versioned DOI, a past activity, a SWHID: the same ref forever. */
  immutable: boolean;
}

export type ResolutionOutcome = 'resolved' | 'cached' | 'not_found' | 'error';

/**
 * Resolutions remembered per spec: immutable ones (a versioned DOI, a SWHID) for good
 * (LRU), "not found" briefly (`notFoundMs`, so a record just published soon launches).
 * Mutable ones (a concept DOI's latest version, a dataset's last change) are asked again
 * each time, their metadata revalidated with ETag / Last-Modified (`ConditionalCache`).
 */
export class ResolutionCache {
  private readonly immutable: TtlCache<string>;
  private readonly notFound: TtlCache<true>;
  /** Resolutions under way: concurrent launches of one spec share one. */
  private readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(o: { size?: number; notFoundMs?: number; now?: () => number } = {}) {
    this.immutable = new TtlCache(o.size ?? 4096, Infinity, o.now);
    this.notFound = new TtlCache(o.size ?? 4096, o.notFoundMs ?? 60_000, o.now);
  }

  /**
   * The ref of `key`: remembered, the one under way, or from `resolve` (null = not
   * found). A resolution under way is shared by every caller of the key, so it runs
   * without a caller's signal (its requests have their own time limits); `signal` only
   * stops this caller's wait. `onOutcome` hears how it went (the resolution metric).
   */
  async resolve(
    key: string,
    resolve: () => Promise<Resolution | null>,
    onOutcome?: (outcome: ResolutionOutcome) => void,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const known = this.immutable.get(key);
    const pending = this.inFlight.get(key);
    if (known !== undefined || this.notFound.get(key) || pending) {
      onOutcome?.('cached');
      return known ?? (pending ? untilAborted(pending, signal) : null);
    }
    const run = this.run(key, resolve, onOutcome).finally(() => this.inFlight.delete(key));
    run.catch(() => undefined); // awaited by callers; one that left must not leave it unhandled
    this.inFlight.set(key, run);
    return untilAborted(run, signal);
  }

  private async run(
    key: string,
    resolve: () => Promise<Resolution | null>,
    onOutcome?: (outcome: ResolutionOutcome) => void,
  ): Promise<string | null> {
    let resolution: Resolution | null;
    try {
      resolution = await resolve();
    } catch (err) {
      onOutcome?.('error');
      throw err;
    }
    if (!resolution) {
      this.notFound.set(key, true);
      onOutcome?.('not_found');
      return null;
    }
    if (resolution.immutable) this.immutable.set(key, resolution.ref);
    onOutcome?.('resolved');
    return resolution.ref;
  }
}

/** `promise`, or the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}
