import { z } from 'zod';
import { HydroshareSpec } from '../../queue/repo-specs/hydroshare-spec.js';
import type { ConditionalCache } from './conditional-cache.js';
import { fetchMetadata, type DataProviderDeps } from './data-provider-deps.js';
import { epochSeconds } from './provider-answers.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface HydroshareSettings extends DataProviderDeps {
  /** `HydroshareProvider.url` (`https://www.hydroshare.org/`). */
  siteUrl: string;
  /** Last change per metadata URL, revalidated with ETag / Last-Modified. */
  modified: ConditionalCache<number>;
}

// hsapi `scimeta/elements`: {"dates": [{"type": "modified", "start_date": "…"}, …], …}
const elementsSchema = z
  .object({ dates: z.array(z.object({ type: z.string(), start_date: z.string() }).loose()) })
  .loose();

/**
 * `hydroshare/<resource id, URL or DOI>`: the ref is `<id>.v<epoch of the resource's
 * "modified" date>` from `<site>hsapi/resource/<id>/scimeta/elements` (upstream's
 * request), asked each time and revalidated.
 */
export class HydroshareProvider extends HydroshareSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: HydroshareSettings,
  ) {
    super(spec, s.siteUrl);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.resourceId, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const url = new URL(`${this.s.siteUrl}hsapi/resource/${this.resourceId}/scimeta/elements`);
    const modified = await fetchMetadata(this.s.http, 'HydroShare', url, {
      schema: elementsSchema,
      pick: ({ dates }) => {
        const date = dates.find((d) => d.type === 'modified');
        if (!date) throw new ResolveError('HydroShare sent no "modified" date for the resource');
        return epochSeconds('HydroShare', date.start_date);
      },
      conditional: this.s.modified,
    });
    return modified === null ? null : { ref: this.refFor(modified), immutable: false };
  }
}
