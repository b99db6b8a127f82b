import { BUILT_MESSAGES, builtEvent, type BuildEvent } from '../../queue/index.js';
import { RegistryUnavailableError } from '../registry/image-registry.js';
import { userAccessStep, withUserToken } from './access-step.js';
import { planBuild, type BuildPlan } from './build-plan.js';
import { buildImage } from './build-step.js';
import { failedEventFor, ImageCheckError } from './flow-errors.js';
import type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';
import { findEarlierImage, launchEarlier, recordFound } from './last-good-step.js';
import { checkQuota, launchServer } from './launch-step.js';
import { providerFor, resolveRequest } from './resolve-step.js';

export type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';

/**
 * Everything `/build/<provider>/<spec>` does after the request checks: resolve, look for
 * the image, build it through the queue if absent (attaching to a build already running),
 * then launch. Returns the terminal event (`ready` or `failed`); the caller sends it.
 * Each step throws what stops it; `failedEventFor` alone turns that into `failed`.
 */
export async function runLaunchFlow(
  deps: FlowDeps,
  req: FlowRequest,
  sink: FlowSink,
): Promise<BuildEvent> {
  try {
    return await flow(deps, req, sink);
  } catch (err) {
    const context = { signal: sink.signal, log: deps.log, prefix: req.prefix, spec: req.spec };
    return failedEventFor(err, context);
  }
}

async function flow(deps: FlowDeps, req: FlowRequest, sink: FlowSink): Promise<BuildEvent> {
  const startedAt = performance.now();
  const requested = providerFor(deps, req);
  const access = await userAccessStep(deps, requested.entry, requested.provider, req);
  const { entry, provider, ref } = await resolveRequest(requested.entry, access, req, sink);
  const imagePrefix = deps.config.BinderHub.image_prefix;
  const plan = await withUserToken(
    deps,
    planBuild(entry, provider, ref, imagePrefix, 'launch'),
    access,
  );
  // What `built` and `ready` say was launched.
  const launched = { resolved_ref: plan.resolvedRef };

  if (await imageExists(deps, plan, sink.signal)) {
    recordFound(deps, plan);
    if (req.buildOnly) return readyBuilt(plan, 'Done! Found built image\n', launched);
    sink.send(builtEvent(plan.image, BUILT_MESSAGES.found, launched));
    const timing = { startedAt, buildNeeded: false, buildMs: 0 };
    return { ...(await launchServer(deps, plan, req, sink, timing)), ...launched };
  }

  await checkQuota(deps, plan, sink.signal);
  const earlier = req.buildOnly ? undefined : await findEarlierImage(deps, plan, sink.signal);
  if (earlier && req.fallback === 'last-good')
    return launchEarlier(deps, plan, earlier, req, sink, startedAt);
  const buildStarted = performance.now();
  await buildImage(deps, plan, req, sink, earlier);
  if (req.buildOnly) return readyBuilt(plan, 'Done! Image built\n', launched);
  sink.send(builtEvent(plan.image, BUILT_MESSAGES.built, launched));
  const timing = { startedAt, buildNeeded: true, buildMs: performance.now() - buildStarted };
  return { ...(await launchServer(deps, plan, req, sink, timing)), ...launched };
}

/** The end of a `build_only` request: the image exists, nothing is launched. */
function readyBuilt(plan: BuildPlan, message: string, fields: Record<string, string>): BuildEvent {
  return { phase: 'ready', imageName: plan.image, message, ...fields };
}

/**
 * Whether the registry has the image. A registry that does not answer is not "absent":
 * ImageCheckError (503), never a rebuild.
 */
async function imageExists(deps: FlowDeps, plan: BuildPlan, signal: AbortSignal): Promise<boolean> {
  try {
    return await deps.registry.hasImage(plan.image, signal);
  } catch (err) {
    if (!(err instanceof RegistryUnavailableError)) throw err;
    deps.log.warn({ err: err.message, build: plan.job.buildName }, 'registry unavailable');
    throw new ImageCheckError(
      `Could not check whether image ${plan.image} exists: the image registry is not answering (${err.message}). Please try again in a moment.`,
      503,
    );
  }
}
