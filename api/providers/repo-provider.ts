/** Per-spec settings from `spec_config` / `high_quota_specs` (upstream's `repo_config`). */
export interface RepoConfig {
  quota: number;
  [key: string]: unknown;
}

/**
 * A repository source behind a provider prefix (`gh`, `git`, …), bound to one spec.
 * Construction validates the spec (throws SpecError); `resolveRef` turns the ref into an
 * immutable id (a commit sha) or null when it does not exist.
 */
export interface RepoProvider {
  /** Prefix in URLs: `gh`, `gist`, `gl`, `git`. */
  readonly prefix: string;
  /** Display name used in metrics and events: `GitHub`, `Gist`, `GitLab`, `Git`. */
  readonly name: string;
  /** The spec as requested (still percent-encoded, trailing `/` removed). */
  readonly spec: string;
  /** The ref as requested (`HEAD`, a branch, a tag or a sha). */
  readonly unresolvedRef: string;
  resolveRef(signal?: AbortSignal): Promise<string | null>;
  /** The spec with the ref replaced by the resolved id (needs `resolveRef` first). */
  resolvedSpec(resolvedRef: string): string;
  /** URL repo2docker clones. */
  repoUrl(): string;
  /** Web URL of the resolved ref. */
  refUrl(resolvedRef: string): string;
  /** Slug the image and build names derive from. */
  buildSlug(): string;
  /** `GIT_CREDENTIAL_ENV` for repo2docker, if this provider has credentials. */
  gitCredentials(): string | undefined;
}

/** Bad spec for a provider: the message is shown to the user as it is. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

/** Ref resolution failed for a reason other than "no such ref" (rate limit, network, git error). */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
}
