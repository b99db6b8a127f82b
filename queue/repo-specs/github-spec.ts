import type { RepoSpec } from './repo-spec.js';
import {
  checkName,
  checkRef,
  COMMIT_ID,
  COMMIT_ID_FORM,
  tokenizeSpec,
  unquote,
} from './spec-parts.js';

/** `gh/<user>/<repo>/<ref>`: a repository on `GitHubRepoProvider.hostname`. */
export class GitHubSpec implements RepoSpec {
  readonly prefix = 'gh';
  readonly name = 'GitHub';
  readonly contentProvider = 'git';
  readonly resolvedRefForm = COMMIT_ID_FORM;
  readonly user: string;
  readonly repo: string;
  readonly unresolvedRef: string;

  constructor(
    readonly spec: string,
    readonly hostname: string,
    /** Where the site is reached (`GitHubRepoProvider.base_url`): `https://<hostname>/` by default. */
    private readonly site = `https://${hostname}/`,
  ) {
    const [user, repo, ref] = tokenizeSpec(spec);
    this.user = checkName(unquote(user, 'user'), 'GitHub user');
    this.repo = checkName(unquote(repo, 'repository').replace(/\.git$/, ''), 'GitHub repository');
    this.unresolvedRef = checkRef(unquote(ref, 'ref'));
  }

  isResolvedRef(ref: string): boolean {
    return COMMIT_ID.test(ref);
  }

  resolvedSpec(ref: string): string {
    return `${this.user}/${this.repo}/${ref}`;
  }

  repoUrl(): string {
    return `${this.site}${this.user}/${this.repo}`;
  }

  refUrl(ref: string): string {
    return `${this.repoUrl()}/tree/${ref}`;
  }

  buildSlug(_resolvedRef?: string): string {
    return `${this.user}-${this.repo}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
