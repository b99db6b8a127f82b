import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import type { LaunchRequest } from '../launch/launcher.js';
import type { BuildPlan } from './build-plan.js';

/**
 * What a launch of `plan` asks the hub for (upstream's `user_options`), for a request
 * of `<prefix>/<spec>`: the same for a person's launch and for a warm pool's server.
 * The hub keeps user_options: credentials written into a git URL stay out.
 */
export function launchRequestFor(
  plan: BuildPlan,
  requested: {
    prefix: string;
    spec: string;
    launchHost: string;
    clientIp: string;
    user?: string;
  },
): LaunchRequest {
  const { prefix } = requested;
  return {
    image: plan.image,
    repoUrl: plan.job.repoUrl,
    refUrl: plan.provider.refUrl(plan.resolvedRef),
    launchHost: requested.launchHost,
    binderRequest: `v2/${prefix}/${specForDisplay(prefix, requested.spec)}`,
    binderPersistentRequest: `v2/${prefix}/${specForDisplay(prefix, plan.job.resolvedSpec)}`,
    clientIp: requested.clientIp,
    ...(requested.user ? { user: requested.user } : {}),
  };
}
