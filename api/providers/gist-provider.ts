import type { GitHubApi } from './github-api.js';
import { ResolveError, SpecError, type RepoProvider } from './repo-provider.js';
import { checkName, checkRef, unquote } from './spec-parts.js';

interface GistResponse {
  public: boolean;
  history: Array<{ version: string }>;
}

/** `gist/<user>/<gist id>[/<ref>]`: a GitHub gist; the ref is a version in its history. */
export class GistProvider implements RepoProvider {
  readonly prefix = 'gist';
  readonly name = 'Gist';
  readonly user: string;
  readonly gistId: string;
  readonly unresolvedRef: string;

  constructor(
    readonly spec: string,
    private readonly api: GitHubApi,
    private readonly allowSecretGist: boolean,
  ) {
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

  resolvedSpec(ref: string): string {
    return `${this.user}/${this.gistId}/${ref}`;
  }

  repoUrl(): string {
    return `https://gist.github.com/${this.user}/${this.gistId}.git`;
  }

  refUrl(ref: string): string {
    return `https://gist.github.com/${this.user}/${this.gistId}/${ref}`;
  }

  buildSlug(): string {
    return this.gistId;
  }

  gitCredentials(): string | undefined {
    return undefined;
  }
}
