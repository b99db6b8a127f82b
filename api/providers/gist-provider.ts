import { GistSpec } from '../../queue/repo-specs/gist-spec.js';
import type { GitHubApi } from './github-api.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';

interface GistResponse {
  public: boolean;
  history: Array<{ version: string }>;
}

/** `gist/<user>/<gist id>[/<ref>]`: a GitHub gist; the ref is a version in its history. */
export class GistProvider extends GistSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly api: GitHubApi,
    private readonly allowSecretGist: boolean,
  ) {
    super(spec);
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    const gist = await this.api.get<GistResponse>(
      'GET /gists/{gist_id}',
      { gist_id: this.gistId },
      signal,
    );
    if (!gist) return null;
    if (!gist.public && !this.allowSecretGist) {
      throw new ResolveError(
        'This gist is secret; secret gists can only be launched when GistRepoProvider.allow_secret_gist is true.',
      );
    }
    const versions = gist.history.map((h) => h.version);
    if (['', 'HEAD', 'master', 'main'].includes(this.unresolvedRef)) return versions[0] ?? null;
    return versions.includes(this.unresolvedRef) ? this.unresolvedRef : null;
  }
}
