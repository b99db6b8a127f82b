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

  constructor(o: { size?: number; notFoundMs?: number; now?: () => number } = {}) {
    this.immutable = new TtlCache(o.size ?? 4096, Infinity, o.now);
    this.notFound = new TtlCache(o.size ?? 4096, o.notFoundMs ?? 60_000, o.now);
  }

  /**
   * The ref of `key`: remembered, or from `resolve` (null = not found). `onOutcome`
   * hears how it went (for the resolution metric).
   */
  async resolve(
    key: string,
    resolve: () => Promise<Resolution | null>,
    onOutcome?: (outcome: ResolutionOutcome) => void,
  ): Promise<string | null> {
    const known = this.immutable.get(key);
    if (known !== undefined || this.notFound.get(key)) {
      onOutcome?.('cached');
      return known ?? null;
    }
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
