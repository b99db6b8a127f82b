import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';
import { unquote } from './spec-parts.js';

/** The archive's web root from `SoftwareHeritageProvider.api_url` (`…/api/1/` → `…/`). */
export function swhArchiveUrl(apiUrl: string): string {
  return apiUrl.endsWith('/api/1/')
    ? apiUrl.slice(0, -'api/1/'.length)
    : `${new URL(apiUrl).origin}/`;
}

const CORE = /^swh:1:(dir|rev):([0-9a-f]{40})$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * `swhid/<SWHID>`: a directory or revision archived by Software Heritage,
 * `swh:1:dir:<40 hex>` or `swh:1:rev:<40 hex>`, with or without qualifiers
 * (`;origin=…;visit=…;anchor=…;path=…`, which, like repo2docker, it ignores). The ref is
 * the archived directory (a revision's root directory): the image is
 * `swhid-<directory>:<directory>`, and repo2docker fetches that directory.
 */
export class SwhidSpec implements RepoSpec {
  readonly prefix = 'swhid';
  readonly name = 'Software Heritage';
  readonly contentProvider = 'swhid';
  readonly resolvedRefForm = 'the id (40 hex) of the directory this SWHID names';
  readonly unresolvedRef = '';
  /** `swh:1:dir:<hash>` or `swh:1:rev:<hash>` (without qualifiers). */
  readonly core: string;
  readonly objectType: 'dir' | 'rev';
  readonly hash: string;

  /** `archiveUrl`: the archive's web root (`https://archive.softwareheritage.org/`). */
  constructor(
    readonly spec: string,
    readonly archiveUrl: string,
  ) {
    const decoded = unquote(spec, 'The SWHID');
    const core = decoded.split(';')[0]!;
    const m = CORE.exec(core);
    if (!m || decoded.length > 2000 || CONTROL.test(decoded)) {
      throw new SpecError(
        `"${decoded.slice(0, 200)}" is not a SWHID of a directory or revision: expected swh:1:dir:<40 hex> or swh:1:rev:<40 hex>`,
      );
    }
    this.core = core;
    this.objectType = m[1] as 'dir' | 'rev';
    this.hash = m[2]!;
  }

  isResolvedRef(ref: string): boolean {
    return /^[0-9a-f]{40}$/.test(ref) && (this.objectType === 'rev' || ref === this.hash);
  }

  resolvedSpec(ref: string): string {
    return `swh:1:dir:${ref}`;
  }

  repoUrl(): string {
    return this.core;
  }

  refUrl(ref: string): string {
    return `${this.archiveUrl}${this.resolvedSpec(ref)}`;
  }

  buildSlug(ref: string): string {
    return `swhid-${ref}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
