import { doiUrl, parseDoi } from './doi.js';
import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';

const RECORD_ID = /^\d{1,20}$/;

/**
 * `zenodo/<DOI>` (`10.5281/zenodo.3242074`): a Zenodo record. The ref is the id of the
 * record the DOI resolves to — the record itself, or for a concept DOI (all versions)
 * its latest version — and names the image (`zenodo-<record id>:<record id>`).
 */
export class ZenodoSpec implements RepoSpec {
  readonly prefix = 'zenodo';
  readonly name = 'Zenodo';
  readonly contentProvider = 'zenodo';
  readonly resolvedRefForm = 'a Zenodo record id';
  readonly unresolvedRef = '';
  /** The number in the DOI: a record, or the concept of all its versions. */
  readonly doiNumber: string;
  /** Everything before `zenodo` in the DOI (`10.5281/`). */
  private readonly doiPrefix: string;

  constructor(readonly spec: string) {
    const { identifier } = parseDoi(spec, 'Zenodo');
    const m = /^zenodo\.(\d{1,20})$/i.exec(identifier);
    if (!m) throw new SpecError(`Unexpected zenodo doi: ${spec}`);
    this.doiNumber = m[1]!;
    this.doiPrefix = spec.slice(0, spec.length - identifier.length);
  }

  isResolvedRef(ref: string): boolean {
    return RECORD_ID.test(ref);
  }

  /** Upstream's: the DOI with the number replaced by the resolved record's. */
  resolvedSpec(ref: string): string {
    return `${this.doiPrefix}zenodo.${ref}`;
  }

  repoUrl(): string {
    return this.spec;
  }

  refUrl(ref: string): string {
    return doiUrl(this.resolvedSpec(ref));
  }

  buildSlug(ref: string): string {
    return `zenodo-${ref}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
