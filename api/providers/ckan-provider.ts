import { z } from 'zod';
import { CkanSpec } from '../../queue/repo-specs/ckan-spec.js';
import type { ConditionalCache } from './conditional-cache.js';
import { fetchMetadata, type DataProviderDeps } from './data-provider-deps.js';
import { epochSeconds } from './provider-answers.js';
import type { RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface CkanSettings extends DataProviderDeps {
  /** Last change per API URL, revalidated with ETag / Last-Modified. */
  modified: ConditionalCache<number>;
}

// Action API: {"success": true, "result": {"metadata_modified": "2024-03-01T10:20:30.123456", …}}
const actionSchema = z
  .object({ result: z.object({ metadata_modified: z.string() }).loose() })
  .loose();

/**
 * `ckan/<url-encoded dataset URL>`: the site's action API (under the URL policy: any
 * host may be named, private addresses are refused) gives the dataset's
 * `metadata_modified` — of the past activity the URL names (`package_show` or
 * `activity_data_show`, as upstream). The ref is `<dataset>.v<epoch>`; an activity's is
 * cached for good, the current version's asked each time and revalidated.
 */
export class CkanProvider extends CkanSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: CkanSettings,
  ) {
    super(spec);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.url, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  /** The action URL upstream asks. */
  actionUrl(): URL {
    const query = this.activityId
      ? new URLSearchParams({ id: this.activityId, object_type: 'package' })
      : new URLSearchParams({ id: this.datasetId });
    const action = this.activityId ? 'activity_data_show' : 'package_show';
    return new URL(`${this.apiUrl}${action}?${query.toString()}`);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const modified = await fetchMetadata(this.s.http, 'CKAN', this.actionUrl(), {
      schema: actionSchema,
      pick: ({ result }) => epochSeconds('CKAN', result.metadata_modified),
      conditional: this.s.modified,
    });
    if (modified === null) return null;
    return { ref: this.refFor(modified), immutable: this.activityId !== undefined };
  }
}
