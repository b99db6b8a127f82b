import { GitSpec } from '../../queue/repo-specs/git-spec.js';
import { SHA1 } from '../../queue/repo-specs/spec-parts.js';
import type { GitAccess } from '../../queue/url-policy/git-access.js';
import { UrlPolicyError } from '../../queue/url-policy/url-policy-error.js';
import { gitCommitExists } from './git-commit-exists.js';
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
 * ref, and git runs pinned to the checked address, without redirects: `ls-remote` for a
 * name, a cut-short fetch of the commit for a 40-hex ref (so a commit the repository
 * does not have is refused here, not queued to fail at `git reset`).
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
    const opts = { allowedProtocols: this.s.allowedProtocols, timeoutMs: this.s.timeoutMs, signal };
    if (SHA1.test(this.unresolvedRef)) {
      // A commit id is used as it is, once the repository is seen to have it.
      const exists = await gitCommitExists(access, this.unresolvedRef, opts);
      return exists === false ? null : this.unresolvedRef;
    }
    return gitLsRemote(access, this.unresolvedRef, opts);
  }
}
