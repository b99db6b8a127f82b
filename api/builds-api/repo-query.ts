import type { BuildJob } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
import { trimTrailingSlashes } from '../http/trim-slashes.js';

/** Which repository `GET /api/builds?repo=…` asks about. */
export interface RepoQuery {
  /** `gh` or `gl` when the repository is on the configured GitHub / GitLab host. */
  provider?: 'gh' | 'gl';
  /** `owner/repo` (GitLab: the project path), when `provider` is set. */
  slug?: string;
  /** The repository URL, normalised (no credentials, no `.git`, no trailing `/`). */
  url?: string;
}

const SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const REPO_URL_SCHEMES = new Set(['https:', 'http:', 'git:']);

/** `https://Host/a/b.git/` → `https://host/a/b`; null when not an http(s) or git:// URL. */
export function normaliseRepoUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (!REPO_URL_SCHEMES.has(u.protocol)) return null;
  const path = trimTrailingSlashes(u.pathname).replace(/\.git$/, '');
  return `${u.protocol}//${u.host.toLowerCase()}${path}`;
}

/** Parses `owner/repo` or a repository URL (GitHub, GitLab or any git host). */
export function parseRepoQuery(raw: string, hosts: { github: string; gitlab: string }): RepoQuery {
  const value = raw.trim();
  if (SLUG.test(value)) return { provider: 'gh', slug: value };
  const url = normaliseRepoUrl(value);
  if (!url) {
    throw new HttpError(
      400,
      'repo must be owner/repo or a repository URL (https://host/owner/repo)',
    );
  }
  const { host, pathname } = new URL(url);
  const path = decodeURIComponent(pathname.slice(1));
  if (host === hosts.github.toLowerCase() && SLUG.test(path)) {
    return { provider: 'gh', slug: path, url };
  }
  if (host === hosts.gitlab.toLowerCase() && path.includes('/')) {
    return { provider: 'gl', slug: path, url };
  }
  return { url };
}

function specRepo(job: BuildJob): string {
  if (job.provider === 'gl') {
    const slash = job.spec.indexOf('/');
    return decodeURIComponent(slash >= 0 ? job.spec.slice(0, slash) : job.spec);
  }
  return job.spec.split('/').slice(0, 2).join('/');
}

/** Is this build job one of the repository's (by provider spec, or by clone URL)? */
export function jobMatches(q: RepoQuery, job: BuildJob): boolean {
  if (q.provider && q.slug && job.provider === q.provider) {
    if (specRepo(job).toLowerCase() === q.slug.toLowerCase()) return true;
  }
  return q.url !== undefined && normaliseRepoUrl(job.repoUrl) === q.url;
}
