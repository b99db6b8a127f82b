import { z } from 'zod';
import { DataverseSpec } from '../../queue/repo-specs/dataverse-spec.js';
import type { ConditionalCache } from './conditional-cache.js';
import { fetchMetadata, resolveDoi, type DataProviderDeps } from './data-provider-deps.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface DataverseSettings extends DataProviderDeps {
  doiResolverUrl: string;
  /** The dataset's version and DOI per API URL, revalidated with ETag / Last-Modified. */
  datasets: ConditionalCache<DatasetVersion>;
}

interface DatasetVersion {
  ref: string;
  doi: string;
}

// Native API, GET /api/datasets/:persistentId?persistentId=doi:…
const datasetSchema = z
  .object({
    status: z.literal('OK'),
    data: z
      .object({
        id: z.number().int().nonnegative(),
        authority: z.string(),
        identifier: z.string(),
        latestVersion: z
          .object({
            versionNumber: z.number().int().nonnegative(),
            versionMinorNumber: z.number().int().nonnegative(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

/**
 * `dataverse/<DOI>`: as upstream, the DOI is followed to its Dataverse installation (any
 * host, under the URL policy), then `/api/datasets/:persistentId` on that host (with the
 * landing page's query) gives `<id>.v<major>.<minor>` of the latest version. Asked each
 * time, revalidated. A DOI that is not the dataset's own (a file's) is refused.
 */
export class DataverseProvider extends DataverseSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: DataverseSettings,
  ) {
    super(spec);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.spec, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const target = await resolveDoi(this.s.http, 'Dataverse', this.s.doiResolverUrl, this.spec);
    if (!target) return null;
    const api = new URL('/api/datasets/:persistentId', target);
    api.search = target.search;
    const version = await fetchMetadata(this.s.http, 'Dataverse', api, {
      schema: datasetSchema,
      pick: ({ data }) => ({
        ref: `${data.id}.v${data.latestVersion.versionNumber}.${data.latestVersion.versionMinorNumber}`,
        doi: `${data.authority}/${data.identifier}`,
      }),
      conditional: this.s.datasets,
    });
    if (!version) return null;
    if (version.doi.toLowerCase() !== this.doi.doi.toLowerCase()) {
      throw new ResolveError(
        `${this.spec} is not the DOI of a dataset: ${api.host} answered with dataset ${version.doi}. Use the dataset's DOI.`,
      );
    }
    return { ref: version.ref, immutable: false };
  }
}
