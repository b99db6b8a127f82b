import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import { planBuild } from '../builds/build-plan.js';
import { launchRequestFor } from '../builds/launch-request.js';
import type { ProviderRegistry } from '../providers/provider-entry.js';
import type { ImageRegistry } from '../registry/image-registry.js';
import type { PoolTarget } from './pool-plan.js';

export interface TargetDeps {
  config: Pick<Config, 'BinderHub'>;
  providers: ProviderRegistry;
  registry: ImageRegistry;
  log: Logger;
}

/** A spec to pool: `<prefix>/<spec>` (spec still percent-encoded) and how many servers. */
export interface WantedSpec {
  spec: string;
  size: number;
}

/** `<prefix>/<spec>` → its parts; undefined without a `/`. */
export function splitPoolSpec(full: string): { prefix: string; spec: string } | undefined {
  const slash = full.indexOf('/');
  if (slash <= 0 || slash === full.length - 1) return undefined;
  return { prefix: full.slice(0, slash), spec: full.slice(slash + 1) };
}

/** How a pool spec is shown (metrics labels, the dashboard): credentials in a git URL hidden. */
export function poolSpecLabel(prefix: string, spec: string): string {
  return `${prefix}/${specForDisplay(prefix, spec)}`;
}

/**
 * Resolves one wanted spec to its current image, as a launch would (provider, ref, image
 * name, registry). A spec that cannot be resolved right now (provider or registry down)
 * comes back without an image, so the servers it has are kept; a spec that is refused
 * or whose ref no longer exists comes back undefined (its servers are not wanted).
 */
export async function resolveTarget(
  deps: TargetDeps,
  wanted: WantedSpec,
  launchHost: string,
  signal: AbortSignal,
): Promise<PoolTarget | undefined> {
  const parts = splitPoolSpec(wanted.spec);
  const entry = parts && deps.providers.get(parts.prefix);
  if (!parts || !entry) return undefined;
  const base = { spec: poolSpecLabel(parts.prefix, parts.spec), size: wanted.size };
  try {
    const provider = entry.create(parts.spec);
    if (entry.policy.isBanned(parts.spec)) return undefined;
    const ref = await provider.resolveRef(signal);
    if (!ref) return undefined;
    const plan = planBuild(entry, provider, ref, deps.config.BinderHub.image_prefix, 'launch');
    const built = await deps.registry.hasImage(plan.image, signal);
    const request = launchRequestFor(plan, { ...parts, launchHost, clientIp: '' });
    const repoQuota = entry.policy.repoConfig(parts.spec).quota;
    return { ...base, image: plan.image, built, request, repoQuota };
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, spec: base.spec }, 'pool: spec not resolved');
    return signal.aborted ? undefined : { ...base, built: false };
  }
}
