import type { Config } from '../../queue/config/index.js';
import type { BuildQueue, Logger } from '../../queue/index.js';
import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import { planBuild } from '../builds/build-plan.js';
import { HttpError } from '../http/http-error.js';
import type { ProviderRegistry } from '../providers/provider-entry.js';
import { resolveNow, specTarget } from '../providers/spec-target.js';
import { replacePooledWhenBuilt, type ReplacePooledDeps } from './replace-pooled.js';

export interface RebuildDeps {
  config: Pick<Config, 'BinderHub' | 'BuildExecutor'>;
  providers: ProviderRegistry;
  buildQueue: Pick<BuildQueue, 'enqueue'>;
  log: Logger;
  /** The warm pool (if any), whose servers of the image are replaced once it is rebuilt. */
  pool?: ReplacePooledDeps['pool'];
  bus?: ReplacePooledDeps['bus'];
}

export interface RebuildAnswer {
  /** `queued`: a new job; `requeued`: it replaced a finished job of the image; `attached`: a rebuild was already queued or running. */
  outcome: 'queued' | 'requeued' | 'attached';
  provider: string;
  spec: string;
  /** The commit (immutable id) the spec's ref resolves to now: the one rebuilt. */
  ref: string;
  image: string;
  build: string;
}

/**
 * A forced rebuild of the image a spec launches now: the ref is resolved, and a build
 * job marked `rebuild` is queued under the build's usual name, even though the image
 * exists. The job id being the build name, a finished job of that name is replaced (not
 * taken for the answer); a build of the image already queued or running is joined when
 * it is a rebuild, and refused (409) when it is an ordinary build, which would not build
 * afresh. The runner builds without the layer cache and pushes under the same tag:
 * launches after that get the new image, servers already started keep theirs.
 */
export async function requestRebuild(
  d: RebuildDeps,
  prefix: string,
  spec: string,
  who: string,
): Promise<RebuildAnswer> {
  const { entry, provider } = specTarget(d.providers, prefix, spec);
  const ref = await resolveNow(entry, provider);
  const plan = planBuild(entry, provider, ref, d.config.BinderHub.image_prefix, 'push');
  const { outcome, job } = await d.buildQueue.enqueue({ ...plan.job, rebuild: true });
  const shown = specForDisplay(entry.prefix, provider.spec);
  if (outcome === 'attached' && !job.data.rebuild) {
    throw new HttpError(
      409,
      `A build of ${plan.image} is already queued or running (not a rebuild): ask again once it has ended`,
    );
  }
  d.log.info(
    { who, provider: entry.prefix, spec: shown, ref, build: plan.job.buildName, outcome },
    'forced rebuild requested',
  );
  if (d.pool && d.bus && outcome !== 'attached') {
    const maxAge = d.config.BuildExecutor.max_age || 24 * 3600;
    const deps = { pool: d.pool, bus: d.bus, log: d.log };
    replacePooledWhenBuilt(deps, plan.job.buildName, plan.image, maxAge * 1000);
  }
  return {
    outcome,
    provider: entry.prefix,
    spec: shown,
    ref,
    image: plan.image,
    build: plan.job.buildName,
  };
}
