import { GitSpec } from '../../queue/repo-specs/git-spec.js';
import { SHA1 } from '../../queue/repo-specs/spec-parts.js';
import type { GitAccess } from '../../queue/url-policy/git-access.js';
import { UrlPolicyError } from '../../queue/url-policy/url-policy-error.js';
import { gitLsRemote } from './git-ls-remote.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';

export interface GitProviderSettings {
  allowedProtocols: readonly string[];
  timeoutMs: number;
  /** The URL policy: resolves and checks the host, returns the pinned access (throws UrlPolicyError). */
  access: (spec: GitSpec) => Promise<GitAccess>;
}

/**
 * `git/<url-encoded repository URL>/<url-encoded ref>`: any git repository. The URL is
 * checked (canonical form, allowed scheme; then its host's every address) whatever the
 * ref — a 40-hex ref skips only `git ls-remote`, never the check — and ls-remote runs
 * pinned to the checked address, without redirects.
 */
export class GitProvider extends GitSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: GitProviderSettings,
  ) {
    super(spec, s.allowedProtocols);
  }

  async resolveRef(signal?: AbortSignal): Promise<string | null> {
    let access: GitAccess;
    try {
      access = await this.s.access(this);
    } catch (err) {
      if (err instanceof UrlPolicyError) throw new ResolveError(err.message);
      throw err;
    }
    if (SHA1.test(this.unresolvedRef)) return this.unresolvedRef;
    return gitLsRemote(access, this.unresolvedRef, {
      allowedProtocols: this.s.allowedProtocols,
      timeoutMs: this.s.timeoutMs,
      signal,
    });
  }
}
