import { GitHubSpec } from '../../queue/repo-specs/github-spec.js';
import type { GitHubApi } from './github-api.js';
import type { RepoProvider } from './repo-provider.js';

/** `gh/<user>/<repo>/<ref>`: a GitHub repository; the ref resolves to a commit sha via the API. */
export class GitHubProvider extends GitHubSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly api: GitHubApi,
    hostname: string,
    site?: string,
  ) {
    super(spec, hostname, site);
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    const commit = await this.api.get<{ sha: string }>(
      'GET /repos/{owner}/{repo}/commits/{ref}',
      { owner: this.user, repo: this.repo, ref: this.unresolvedRef },
      signal,
    );
    return commit?.sha ?? null;
  }
}
