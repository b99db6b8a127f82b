import { GitLabSpec } from '../../queue/repo-specs/gitlab-spec.js';
import { pyQuote } from '../../queue/repo-specs/spec-parts.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';

export interface GitLabProviderSettings {
  hostname: string;
  accessToken: string;
  privateToken: string;
  /** A user's OAuth token, sent as `Authorization: Bearer` (never in the URL). */
  bearer?: string;
  /** `GitLabRepoProvider.base_url`, else `https://<hostname>/`. */
  site: string;
  fetch: typeof fetch;
}

/** `gl/<url-encoded namespace>/<ref>`: a GitLab project on `GitLabRepoProvider.hostname`. */
export class GitLabProvider extends GitLabSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: GitLabProviderSettings,
  ) {
    super(spec, s.hostname, s.site);
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    const url = new URL(
      `${this.s.site}api/v4/projects/${pyQuote(this.namespace)}/repository/commits/${pyQuote(this.unresolvedRef)}`,
    );
    if (this.s.accessToken) url.searchParams.set('access_token', this.s.accessToken);
    if (this.s.privateToken) url.searchParams.set('private_token', this.s.privateToken);
    let res: Response;
    try {
      const headers: Record<string, string> = { 'user-agent': 'BinderHub' };
      if (this.s.bearer) headers.authorization = `Bearer ${this.s.bearer}`;
      res = await this.s.fetch(url, { signal, headers });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ResolveError(`GitLab is not reachable: ${(err as Error).message}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new ResolveError(`GitLab API answered ${res.status}`);
    const body = (await res.json()) as { id?: unknown };
    return typeof body.id === 'string' ? body.id : null;
  }
}
