import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';
import { checkName, checkRef, COMMIT_ID, COMMIT_ID_FORM, unquote } from './spec-parts.js';

/** `gist/<user>/<gist id>[/<ref>]`: a GitHub gist; the ref is a version in its history. */
export class GistSpec implements RepoSpec {
  readonly prefix = 'gist';
  readonly name = 'Gist';
  readonly contentProvider = 'git';
  readonly resolvedRefForm = COMMIT_ID_FORM;
  readonly user: string;
  readonly gistId: string;
  readonly unresolvedRef: string;

  constructor(readonly spec: string) {
    const parts = spec.split('/');
    if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
      throw new SpecError(`Spec is not of the form "user/gist_id[/ref]", provided: "${spec}".`);
    }
    this.user = checkName(unquote(parts[0], 'user'), 'GitHub user');
    const id = unquote(parts[1], 'gist id');
    if (!/^[0-9a-f]{1,64}$/i.test(id)) throw new SpecError(`Invalid gist id "${id}"`);
    this.gistId = id;
    this.unresolvedRef = parts[2] ? checkRef(unquote(parts[2], 'ref')) : 'HEAD';
  }

  isResolvedRef(ref: string): boolean {
    return COMMIT_ID.test(ref);
  }

  resolvedSpec(ref: string): string {
    return `${this.user}/${this.gistId}/${ref}`;
  }

  repoUrl(): string {
    return `https://gist.github.com/${this.user}/${this.gistId}.git`;
  }

  refUrl(ref: string): string {
    return `https://gist.github.com/${this.user}/${this.gistId}/${ref}`;
  }

  buildSlug(_resolvedRef?: string): string {
    return this.gistId;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
