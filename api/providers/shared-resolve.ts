import type { RepoProvider } from './repo-provider.js';

/** Rejects with the signal's reason once it aborts; else settles as `p`. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Resolutions of one spec that overlap in time share one look-up: ten simultaneous
 * launches of a branch make one `git ls-remote` (or one GitHub request), not ten. Each
 * caller still stops waiting when its own signal aborts; the shared look-up is bounded
 * by `timeoutMs`. Nothing is kept once it settled: a later request looks again.
 */
export class SharedResolver {
  private readonly inflight = new Map<string, Promise<string | null>>();

  constructor(private readonly timeoutMs = 60_000) {}

  /** `provider` with its `resolveRef` shared under `key` (`<prefix>/<spec>`). */
  wrap<P extends RepoProvider>(key: string, provider: P): P {
    const own = provider.resolveRef.bind(provider);
    provider.resolveRef = (signal?: AbortSignal) => {
      let p = this.inflight.get(key);
      if (!p) {
        p = own(AbortSignal.timeout(this.timeoutMs)).finally(() => this.inflight.delete(key));
        this.inflight.set(key, p);
      }
      return signal ? untilAborted(p, signal) : p;
    };
    return provider;
  }
}
