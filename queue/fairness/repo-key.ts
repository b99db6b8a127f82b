import { createHash } from 'node:crypto';
import type { BuildJob } from '../build-job.js';

/**
 * The repository a build belongs to, for the per-repository build limit: the provider
 * and the URL repo2docker is given (no ref, no credentials — job data has none), case
 * folded (hosts and GitHub/GitLab paths are case-insensitive), hashed to a short key.
 */
export function repoKey(job: Pick<BuildJob, 'provider' | 'repoUrl'>): string {
  const url = job.repoUrl
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .toLowerCase();
  return createHash('sha256').update(`${job.provider}\n${url}`).digest('hex').slice(0, 32);
}
