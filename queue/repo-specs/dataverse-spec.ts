import { escapeSlug } from './build-names.js';
import { doiUrl, parseDoi, type Doi } from './doi.js';
import type { RepoSpec } from './repo-spec.js';

/**
 * `dataverse/<DOI>` (`10.7910/DVN/TJCLKP`): a dataset on any Dataverse installation (the
 * DOI says which). The ref is `<dataset id>.v<major>.<minor>` of its latest version.
 *
 * Upstream takes the resolved spec and the slug's identifier from the dataset's JSON
 * (`authority`/`identifier`); resolution here refuses a DOI that is not the dataset's own
 * (up to case), so both follow from the spec itself (the runner recomputes them).
 */
export class DataverseSpec implements RepoSpec {
  readonly prefix = 'dataverse';
  readonly name = 'Dataverse';
  readonly contentProvider = 'dataverse';
  readonly resolvedRefForm = 'a Dataverse version, <dataset id>.v<major>.<minor>';
  readonly unresolvedRef = '';
  readonly doi: Doi;

  constructor(readonly spec: string) {
    this.doi = parseDoi(spec, 'Dataverse');
  }

  isResolvedRef(ref: string): boolean {
    return /^\d{1,20}\.v\d{1,9}\.\d{1,9}$/.test(ref);
  }

  resolvedSpec(_ref: string): string {
    return this.doi.doi;
  }

  repoUrl(): string {
    return this.spec;
  }

  /** The dataset's `persistentUrl`, which for a DOI is its doi.org URL. */
  refUrl(_ref: string): string {
    return doiUrl(this.doi.doi);
  }

  /** Upstream's `"dataverse-" + escapism.escape(identifier, escape_char="-").lower()`. */
  buildSlug(_ref: string): string {
    return `dataverse-${escapeSlug(this.doi.identifier).toLowerCase()}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
