import type { BuildJob, Trigger } from '../../queue/index.js';
import type { ProviderEntry } from '../providers/provider-entry.js';
import type { RepoProvider } from '../providers/repo-provider.js';
import { buildName, imageName } from './image-name.js';

/** A repository at an immutable ref, and the image and build that correspond to it. */
export interface BuildPlan {
  entry: ProviderEntry;
  provider: RepoProvider;
  resolvedRef: string;
  image: string;
  job: BuildJob;
}

/** Image and build names (upstream's formulas) and the job a runner would get. */
export function planBuild(
  entry: ProviderEntry,
  provider: RepoProvider,
  resolvedRef: string,
  imagePrefix: string,
  trigger: Trigger,
  now = Date.now(),
): BuildPlan {
  const slug = provider.buildSlug();
  const image = imageName(imagePrefix, slug, resolvedRef);
  return {
    entry,
    provider,
    resolvedRef,
    image,
    job: {
      buildName: buildName(slug, resolvedRef),
      image,
      provider: entry.prefix,
      providerName: entry.name,
      spec: provider.spec,
      resolvedSpec: provider.resolvedSpec(resolvedRef),
      repoUrl: provider.repoUrl(),
      ref: resolvedRef,
      trigger,
      requestedAt: now,
    },
  };
}
