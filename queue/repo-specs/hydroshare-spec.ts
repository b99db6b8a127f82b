import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';

// Upstream's `.*([0-9a-f]{32}).*`: the last 32-hex run anywhere in the spec.
const RESOURCE_ID = /^.*([0-9a-f]{32})/;

/**
 * `hydroshare/<anything with a resource id>` (the id, a resource URL, or a DOI
 * `10.4211/hs.<id>`): a HydroShare resource. The ref is `<id>.v<epoch of its last change>`.
 */
export class HydroshareSpec implements RepoSpec {
  readonly prefix = 'hydroshare';
  readonly name = 'Hydroshare';
  readonly contentProvider = 'hydroshare';
  readonly resolvedRefForm = "this resource's <resource id>.v<epoch seconds>";
  readonly unresolvedRef = '';
  readonly resourceId: string;

  /** `siteUrl`: `HydroshareProvider.url` (`https://www.hydroshare.org/`). */
  constructor(
    readonly spec: string,
    readonly siteUrl: string,
  ) {
    const m = spec.length <= 1000 ? RESOURCE_ID.exec(spec) : null;
    if (!m) throw new SpecError('The specified Hydroshare resource id was not recognized.');
    this.resourceId = m[1]!;
  }

  /** The ref of the resource as last changed at `epochSeconds`. */
  refFor(epochSeconds: number): string {
    return `${this.resourceId}.v${epochSeconds}`;
  }

  isResolvedRef(ref: string): boolean {
    const m = /^([0-9a-f]{32})\.v(\d{1,12})$/.exec(ref);
    return !!m && m[1] === this.resourceId;
  }

  /** HydroShare keeps no history: the resolved spec is the resource's URL (upstream). */
  resolvedSpec(_ref: string): string {
    return this.repoUrl();
  }

  repoUrl(): string {
    return `${this.siteUrl}resource/${this.resourceId}`;
  }

  refUrl(_ref: string): string {
    return this.repoUrl();
  }

  buildSlug(ref: string): string {
    return `hydroshare-${ref}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
