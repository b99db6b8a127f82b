import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';
import { checkRef, COMMIT_ID, COMMIT_ID_FORM, unquote } from './spec-parts.js';

/** `gl/<url-encoded namespace>/<ref>`: a GitLab project on `GitLabRepoProvider.hostname`. */
export class GitLabSpec implements RepoSpec {
  readonly prefix = 'gl';
  readonly name = 'GitLab';
  readonly contentProvider = 'git';
  readonly resolvedRefForm = COMMIT_ID_FORM;
  readonly namespace: string;
  readonly unresolvedRef: string;
  private readonly quotedNamespace: string;

  constructor(
    readonly spec: string,
    readonly hostname: string,
    /** Where GitLab is reached (`GitLabRepoProvider.base_url`): `https://<hostname>/` by default. */
    protected readonly site = `https://${hostname}/`,
  ) {
    const slash = spec.indexOf('/');
    if (slash <= 0) throw new SpecError('An unresolved ref is required');
    this.quotedNamespace = spec.slice(0, slash);
    this.namespace = unquote(this.quotedNamespace, 'namespace');
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(this.namespace)) {
      throw new SpecError(`Invalid GitLab project "${this.namespace}": expected group/project`);
    }
    this.unresolvedRef = checkRef(unquote(spec.slice(slash + 1), 'ref'));
  }

  isResolvedRef(ref: string): boolean {
    return COMMIT_ID.test(ref);
  }

  resolvedSpec(ref: string): string {
    return `${this.quotedNamespace}/${ref}`;
  }

  repoUrl(): string {
    return `${this.site}${this.namespace}.git`;
  }

  refUrl(ref: string): string {
    return `${this.site}${this.namespace}/tree/${ref}`;
  }

  buildSlug(_resolvedRef?: string): string {
    return this.namespace
      .split('/')
      .map((p) => p.replace(/-/g, '_-'))
      .join('-');
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
