import { ZenodoSpec } from '../../queue/repo-specs/zenodo-spec.js';
import { resolveDoi, type DataProviderDeps } from './data-provider-deps.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface ZenodoSettings extends DataProviderDeps {
  doiResolverUrl: string;
  /** `ZenodoProvider.hosts`: records are `<host>records/<id>` (or `record/`). */
  hosts: readonly string[];
}

/** The record id of a record URL on one of `hosts`, else undefined. */
export function zenodoRecordId(url: URL, hosts: readonly string[]): string | undefined {
  for (const host of hosts) {
    for (const path of ['records/', 'record/']) {
      if (!url.href.startsWith(host + path)) continue;
      const m = /^(\d{1,20})\/?$/.exec(url.href.slice(host.length + path.length));
      if (m) return m[1];
    }
  }
  return undefined;
}

/**
 * `zenodo/<DOI>`: resolved like upstream, by following the DOI to its record
 * (`https://zenodo.org/records/<id>`); the record id is the ref. A DOI that resolves to
 * its own record is versioned and cached for good; a concept DOI is asked again each
 * time (its latest version changes).
 */
export class ZenodoProvider extends ZenodoSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: ZenodoSettings,
  ) {
    super(spec);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.spec, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const url = await resolveDoi(this.s.http, 'Zenodo', this.s.doiResolverUrl, this.spec);
    if (!url) return null;
    const record = zenodoRecordId(url, this.s.hosts);
    if (!record) {
      throw new ResolveError(
        `${this.spec} is not a Zenodo record: it resolves to ${url.href} (ZenodoProvider.hosts: ${this.s.hosts.join(', ')})`,
      );
    }
    return { ref: record, immutable: record === this.doiNumber };
  }
}
