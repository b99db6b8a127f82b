import { ResolveError, SpecError, type RepoProvider } from './repo-provider.js';
import { checkRef, pyQuote, unquote } from './spec-parts.js';

export interface GitLabProviderSettings {
  hostname: string;
  accessToken: string;
  privateToken: string;
  fetch: typeof fetch;
}

/** `gl/<url-encoded namespace>/<ref>`: a GitLab project on `GitLabRepoProvider.hostname`. */
export class GitLabProvider implements RepoProvider {
  readonly prefix = 'gl';
  readonly name = 'GitLab';
  readonly namespace: string;
  readonly unresolvedRef: string;
  private readonly quotedNamespace: string;

  constructor(
    readonly spec: string,
    private readonly s: GitLabProviderSettings,
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

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    const url = new URL(
      `https://${this.s.hostname}/api/v4/projects/${pyQuote(this.namespace)}/repository/commits/${pyQuote(this.unresolvedRef)}`,
    );
    if (this.s.accessToken) url.searchParams.set('access_token', this.s.accessToken);
    if (this.s.privateToken) url.searchParams.set('private_token', this.s.privateToken);
    let res: Response;
    try {
      res = await this.s.fetch(url, { signal, headers: { 'user-agent': 'BinderHub' } });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ResolveError(`GitLab is not reachable: ${(err as Error).message}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new ResolveError(`GitLab API answered ${res.status}`);
    const body = (await res.json()) as { id?: unknown };
    return typeof body.id === 'string' ? body.id : null;
  }

  resolvedSpec(ref: string): string {
    return `${this.quotedNamespace}/${ref}`;
  }

  repoUrl(): string {
    return `https://${this.s.hostname}/${this.namespace}.git`;
  }

  refUrl(ref: string): string {
    return `https://${this.s.hostname}/${this.namespace}/tree/${ref}`;
  }

  buildSlug(): string {
    return this.namespace
      .split('/')
      .map((p) => p.replace(/-/g, '_-'))
      .join('-');
  }

  gitCredentials(): string | undefined {
    return this.s.privateToken ? `username=binderhub\\npassword=${this.s.privateToken}` : undefined;
  }
}
