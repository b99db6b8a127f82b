import type { RepoSpec } from '../../queue/repo-specs/repo-spec.js';

export { SpecError } from '../../queue/repo-specs/spec-error.js';

/** Per-spec settings from `spec_config` / `high_quota_specs` (upstream's `repo_config`). */
export interface RepoConfig {
  quota: number;
  [key: string]: unknown;
}

/**
 * A repository source behind a provider prefix (`gh`, `git`, `zenodo`, …), bound to one
 * spec: the network-free RepoSpec (shared with the runner) plus `resolveRef`, which turns
 * the ref into an immutable id (a commit sha, a record id, `<id>.v<n>`, …), or null when
 * it does not exist.
 */
export interface RepoProvider extends RepoSpec {
  resolveRef(signal?: AbortSignal): Promise<string | null>;
}

/** Ref resolution failed for a reason other than "no such ref" (rate limit, network, git error). */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
}
