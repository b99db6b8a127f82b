/** Which provider prefix the repository is launched with (`gh`, `gl`; `git`, `gist` from the API). */
export type PushProvider = string;

/**
 * What a verified webhook delivery says happened, whatever the host: a ref of a
 * repository now points at a commit (or was deleted). The pure decision and the build
 * scheduling work on this, so GitHub and GitLab share them.
 */
export interface PushNotice {
  provider: PushProvider;
  /** Event name as the host sent it (`push`, `create`, `Push Hook`, …). */
  event: string;
  /** Delivery id (`X-GitHub-Delivery`, GitLab's idempotency key, a uuid for the API). */
  deliveryId: string;
  /** `owner/repo` (GitLab: the project's full path, `group/subgroup/project`; git: the URL). */
  repo: string;
  /** Full ref name: `refs/heads/<branch>` or `refs/tags/<tag>`. */
  ref: string;
  /** The pushed commit; null when the host names the ref only (GitHub's `create`). */
  sha: string | null;
  /** The repository's default branch (short name). */
  defaultBranch: string;
  /** A branch or tag deletion (`deleted: true`, `after` all zeros). */
  deleted: boolean;
  /** ms since epoch when the delivery arrived: orders pushes to one ref. */
  receivedAt: number;
}

export const ZERO_SHA = /^0{40}$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

/**
 * The full name of a ref as a spec gives it: a commit sha, `HEAD` and `refs/…` stay as
 * they are, any other name is taken for a branch (`main` → `refs/heads/main`), so
 * pre-builds asked for through the API and by a push webhook coalesce per branch.
 */
export function fullRefName(ref: string): string {
  if (COMMIT_SHA.test(ref) || ref === 'HEAD' || ref.startsWith('refs/')) return ref;
  return `refs/heads/${ref}`;
}

/** `refs/heads/main` → {kind: 'branch', name: 'main'}; other refs → null. */
export function splitRef(ref: string): { kind: 'branch' | 'tag'; name: string } | null {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice(11) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice(10) };
  return null;
}
