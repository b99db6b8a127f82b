import { doiUrl, parseDoi } from './doi.js';
import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';

/**
 * `figshare/<DOI>` (`10.6084/m9.figshare.9782777` or `….v2`): a Figshare article. The ref
 * is `<article id>.v<version>` — the DOI's version, or the latest one for a DOI without.
 */
export class FigshareSpec implements RepoSpec {
  readonly prefix = 'figshare';
  readonly name = 'Figshare';
  readonly contentProvider = 'figshare';
  readonly resolvedRefForm = "this article's <article id>.v<version>";
  readonly unresolvedRef = '';
  readonly articleId: string;
  /** The version in the DOI; undefined for an unversioned DOI (the latest version). */
  readonly version: string | undefined;
  /** Everything before `figshare` in the DOI (`10.6084/m9.`). */
  private readonly doiPrefix: string;

  constructor(readonly spec: string) {
    const { identifier } = parseDoi(spec, 'Figshare');
    const m = /^(.*?)figshare\.(\d{1,20})(?:\.v(\d{1,9}))?$/i.exec(identifier);
    if (!m) throw new SpecError(`Unexpected figshare doi: ${spec}`);
    this.articleId = m[2]!;
    this.version = m[3];
    this.doiPrefix = spec.slice(0, spec.length - identifier.length) + m[1]!;
  }

  /** The ref of `version` of this article. */
  refFor(version: number | string): string {
    return `${this.articleId}.v${version}`;
  }

  isResolvedRef(ref: string): boolean {
    const m = /^(\d{1,20})\.v(\d{1,9})$/.exec(ref);
    return !!m && m[1] === this.articleId && (this.version === undefined || m[2] === this.version);
  }

  /** Upstream's: the DOI with `figshare.<ref>` in place of the article part. */
  resolvedSpec(ref: string): string {
    return `${this.doiPrefix}figshare.${ref}`;
  }

  repoUrl(): string {
    return this.spec;
  }

  refUrl(ref: string): string {
    return doiUrl(this.resolvedSpec(ref));
  }

  buildSlug(ref: string): string {
    return `figshare-${ref}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
