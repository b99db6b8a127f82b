import { buildName, imageName } from './build-names.js';
import type { RepoSpec } from './repo-spec.js';

/** The job fields that follow from (provider, spec, resolved ref) and the image prefix. */
export interface BuildIdentity {
  buildName: string;
  image: string;
  providerName: string;
  resolvedSpec: string;
  repoUrl: string;
}

/**
 * Upstream's image and build names for a repository at a resolved ref, and the URL to
 * clone: the api writes them into the job, the runner recomputes them to check the job.
 */
export function buildIdentity(spec: RepoSpec, ref: string, imagePrefix: string): BuildIdentity {
  const slug = spec.buildSlug(ref);
  return {
    buildName: buildName(slug, ref),
    image: imageName(imagePrefix, slug, ref),
    providerName: spec.name,
    resolvedSpec: spec.resolvedSpec(ref),
    repoUrl: spec.repoUrl(),
  };
}
