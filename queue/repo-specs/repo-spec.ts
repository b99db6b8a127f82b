/**
 * What a provider spec (`gh/<user>/<repo>/<ref>`, `git/<url>/<ref>`, …) means, without
 * any network: the repository URL, the slug image and build names derive from, the spec
 * at a resolved ref. The api resolves refs on top of this; the runner recomputes a job's
 * names and URL from it. Construction validates the spec (throws SpecError).
 */
export interface RepoSpec {
  /** Prefix in URLs: `gh`, `gist`, `gl`, `git`. */
  readonly prefix: string;
  /** Display name used in metrics and events: `GitHub`, `Gist`, `GitLab`, `Git`. */
  readonly name: string;
  /** The spec as requested (still percent-encoded, trailing `/` removed). */
  readonly spec: string;
  /** The ref as requested (`HEAD`, a branch, a tag or a sha). */
  readonly unresolvedRef: string;
  /** The spec with the ref replaced by the resolved id. */
  resolvedSpec(resolvedRef: string): string;
  /** URL repo2docker clones (never with credentials in it). */
  repoUrl(): string;
  /** Web URL of the resolved ref. */
  refUrl(resolvedRef: string): string;
  /** Slug the image and build names derive from. */
  buildSlug(): string;
  /** Credentials written into the repository URL, as git credential lines, if any. */
  urlCredentials(): string | undefined;
}
