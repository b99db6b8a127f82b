import type { GitHubApi } from './github-api.js';
import { type RepoProvider } from './repo-provider.js';
import { checkName, checkRef, tokenizeSpec, unquote } from './spec-parts.js';

export interface GitHubProviderSettings {
  hostname: string;
  accessToken: string;
  clientId: string;
}

/** `gh/<user>/<repo>/<ref>`: a GitHub repository; the ref resolves to a commit sha via the API. */
export class GitHubProvider implements RepoProvider {
  readonly prefix = 'gh';
  readonly name = 'GitHub';
  readonly user: string;
  readonly repo: string;
  readonly unresolvedRef: string;

  constructor(
    readonly spec: string,
    private readonly api: GitHubApi,
    private readonly s: GitHubProviderSettings,
  ) {
    const [user, repo, ref] = tokenizeSpec(spec);
    this.user = checkName(unquote(user, 'user'), 'GitHub user');
    this.repo = checkName(unquote(repo, 'repository').replace(/\.git$/, ''), 'GitHub repository');
    this.unresolvedRef = checkRef(unquote(ref, 'ref'));
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    const commit = await this.api.get<{ sha: string }>(
      'GET /repos/{owner}/{repo}/commits/{ref}',
      { owner: this.user, repo: this.repo, ref: this.unresolvedRef },
      signal,
    );
    return commit?.sha ?? null;
  }

  resolvedSpec(ref: string): string {
    return `${this.user}/${this.repo}/${ref}`;
  }

  repoUrl(): string {
    return `https://${this.s.hostname}/${this.user}/${this.repo}`;
  }

  refUrl(ref: string): string {
    return `${this.repoUrl()}/tree/${ref}`;
  }

  buildSlug(): string {
    return `${this.user}-${this.repo}`;
  }

  gitCredentials(): string | undefined {
    if (!this.s.accessToken) return undefined;
    return this.s.clientId
      ? `username=${this.s.clientId}\\npassword=${this.s.accessToken}`
      : `username=${this.s.accessToken}\\npassword=x-oauth-basic`;
  }
}
