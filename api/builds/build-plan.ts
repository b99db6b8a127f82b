import type { BuildJob, Trigger } from '../../queue/index.js';
import { buildIdentity } from '../../queue/repo-specs/build-identity.js';
import type { ProviderEntry } from '../providers/provider-entry.js';
import type { RepoProvider } from '../providers/repo-provider.js';

/** A repository at an immutable ref, and the image and build that correspond to it. */
export interface BuildPlan {
  entry: ProviderEntry;
  provider: RepoProvider;
  resolvedRef: string;
  image: string;
  job: BuildJob;
}

/**
 * Image and build names (upstream's formulas) and the job a runner would get: the same
 * `buildIdentity` the runner recomputes to check the job.
 */
export function planBuild(
  entry: ProviderEntry,
  provider: RepoProvider,
  resolvedRef: string,
  imagePrefix: string,
  trigger: Trigger,
  now = Date.now(),
): BuildPlan {
  const identity = buildIdentity(provider, resolvedRef, imagePrefix);
  return {
    entry,
    provider,
    resolvedRef,
    image: identity.image,
    job: {
      ...identity,
      provider: entry.prefix,
      spec: provider.spec,
      ref: resolvedRef,
      trigger,
      requestedAt: now,
    },
  };
}
