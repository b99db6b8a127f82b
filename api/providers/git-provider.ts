import { gitLsRemote } from './git-ls-remote.js';
import { resolvesToPrivate } from './private-address.js';
import { ResolveError, SpecError, type RepoProvider } from './repo-provider.js';
import { SHA1, checkRef, pyQuote, unquote } from './spec-parts.js';

export interface GitProviderSettings {
  allowedProtocols: readonly string[];
  allowPrivateHosts: boolean;
  timeoutMs: number;
  credentials: string;
}

/** `user@host:path` (scp-like ssh) → `ssh://user@host/path`, as upstream rewrites it. */
function normaliseSshUrl(url: string): string {
  const m = /^([A-Za-z0-9._-]+@[A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  return m ? `ssh://${m[1]}/${m[2]}` : url;
}

/**
 * `git/<url-encoded repository URL>/<url-encoded ref>`: any git repository. The URL's
 * scheme must be in `GitRepoProvider.allowed_protocols`; URLs and refs starting with `-`
 * are refused (CVE-2021-39159); hosts on private addresses are refused unless allowed.
 */
export class GitProvider implements RepoProvider {
  readonly prefix = 'git';
  readonly name = 'Git';
  readonly url: string;
  readonly unresolvedRef: string;
  private readonly host: string;

  constructor(
    readonly spec: string,
    private readonly s: GitProviderSettings,
  ) {
    const slash = spec.indexOf('/');
    const quotedUrl = slash >= 0 ? spec.slice(0, slash) : spec;
    const ref = slash >= 0 ? unquote(spec.slice(slash + 1), 'ref') : '';
    const raw = unquote(quotedUrl, 'repository URL');
    if (raw.startsWith('-'))
      throw new SpecError(`Invalid git url ${raw}: a URL cannot start with "-"`);
    if (ref === '')
      throw new SpecError(
        '`unresolved_ref` must be specified in the url for the basic git provider',
      );
    this.unresolvedRef = checkRef(ref);
    this.url = normaliseSshUrl(raw);
    let parsed: URL;
    try {
      parsed = new URL(this.url);
    } catch {
      throw new SpecError(`Invalid git url ${raw}`);
    }
    const proto = parsed.protocol.replace(/:$/, '');
    if (!this.s.allowedProtocols.includes(proto)) {
      throw new SpecError(
        `Unsupported git url ${raw}, protocol ${proto} not in ${this.s.allowedProtocols.join(', ')}`,
      );
    }
    if (!parsed.hostname) throw new SpecError(`Invalid git url ${raw}: no host`);
    this.host = parsed.hostname;
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    if (!this.s.allowPrivateHosts) {
      const isPrivate = await resolvesToPrivate(this.host).catch((err: Error) => {
        throw new ResolveError(`Cannot resolve host ${this.host}: ${err.message}`);
      });
      if (isPrivate) {
        throw new ResolveError(
          `Repositories on private or local addresses are not allowed here (${this.host})`,
        );
      }
    }
    if (SHA1.test(this.unresolvedRef)) return this.unresolvedRef;
    return gitLsRemote(this.url, this.unresolvedRef, {
      allowedProtocols: this.s.allowedProtocols,
      timeoutMs: this.s.timeoutMs,
      signal,
    });
  }

  resolvedSpec(ref: string): string {
    return `${pyQuote(this.url)}/${ref}`;
  }

  repoUrl(): string {
    return this.url;
  }

  refUrl(_ref: string): string {
    return this.url;
  }

  buildSlug(): string {
    return this.url;
  }

  gitCredentials(): string | undefined {
    return this.s.credentials || undefined;
  }
}
