import type { Config } from '../queue/config/index.js';
import type { BuildJob, Logger } from '../queue/index.js';
import type { LastGoodStore } from '../queue/last-good/last-good-store.js';
import { repoSpecFor } from '../queue/repo-specs/repo-spec-for.js';
import type { RepoSpec } from '../queue/repo-specs/repo-spec.js';

/**
 * The specs a successful build is the last good image of: the job's own, and each of its
 * `refSpecs` that parses and names the same repository (the same slug at this commit),
 * so a job can never write the record of another repository.
 */
export function lastGoodSpecs(config: Config, spec: RepoSpec, job: BuildJob): RepoSpec[] {
  const specs = [spec];
  const slug = spec.buildSlug(job.ref);
  for (const text of job.refSpecs ?? []) {
    try {
      const other = repoSpecFor(config, job.provider, text);
      if (other && other.buildSlug(job.ref) === slug) specs.push(other);
    } catch {
      // not a spec of this provider: ignored
    }
  }
  return specs;
}

/** Records a successful build as the last good image of its specs (best effort, logged). */
export async function recordLastGood(
  o: { config: Config; store: LastGoodStore; log: Logger },
  spec: RepoSpec,
  job: BuildJob,
): Promise<void> {
  const entry = { commit: job.ref, image: job.image, resolvedAt: job.requestedAt };
  for (const s of lastGoodSpecs(o.config, spec, job)) {
    await o.store
      .record(s, entry, job.rebuild === true)
      .catch((err: Error) => o.log.warn({ err: err.message }, 'last good image not recorded'));
  }
}
