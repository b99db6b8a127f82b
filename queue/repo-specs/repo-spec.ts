/** repo2docker's content providers: the one that fetches a spec's repository in its build. */
export const CONTENT_PROVIDERS = [
  'git',
  'zenodo',
  'figshare',
  'hydroshare',
  'dataverse',
  'ckan',
  'swhid',
] as const;
export type ContentProviderId = (typeof CONTENT_PROVIDERS)[number];

/**
 * What a provider spec (`gh/<user>/<repo>/<ref>`, `zenodo/<doi>`, …) means, without any
 * network: the repository URL, the slug image and build names derive from, the spec at
 * a resolved ref. The api resolves refs on top of this; the runner recomputes a job's
 * names and URL from it. Construction validates the spec (throws SpecError).
 */
export interface RepoSpec {
  /** Prefix in URLs: `gh`, `gist`, `gl`, `git`, `zenodo`, … */
  readonly prefix: string;
  /** Display name used in metrics and events: `GitHub`, `Zenodo`, … */
  readonly name: string;
  /** The spec as requested (still percent-encoded, trailing `/` removed). */
  readonly spec: string;
  /** The ref as requested (`HEAD`, a branch, a tag or a sha); '' for providers without refs. */
  readonly unresolvedRef: string;
  /** The repo2docker content provider that fetches it. */
  readonly contentProvider: ContentProviderId;
  /** What a resolved ref looks like, for messages (`a commit id`, `<article id>.v<version>`). */
  readonly resolvedRefForm: string;
  /** Whether `ref` has the form a resolution of this spec gives (the runner's check). */
  isResolvedRef(ref: string): boolean;
  /** The spec with the ref replaced by the resolved id. */
  resolvedSpec(resolvedRef: string): string;
  /** What repo2docker is given (a URL to clone, a DOI, a SWHID); never with credentials in it. */
  repoUrl(): string;
  /** Web URL of the resolved ref. */
  refUrl(resolvedRef: string): string;
  /** Slug the image and build names derive from (some providers' slugs name the version). */
  buildSlug(resolvedRef: string): string;
  /** Credentials written into the repository URL, as git credential lines, if any. */
  urlCredentials(): string | undefined;
}
