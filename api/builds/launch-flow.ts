import { failedEvent, type BuildEvent } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
import { LaunchError } from '../launch/launcher.js';
import { ResolveError, SpecError, type RepoProvider } from '../providers/repo-provider.js';
import { RegistryUnavailableError } from '../registry/image-registry.js';
import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import { userAccessStep, withUserToken } from './access-step.js';
import { planBuild, type BuildPlan } from './build-plan.js';
import { followBuild } from './follow-build.js';
import type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';
import {
  findEarlierImage,
  launchEarlier,
  offerEvent,
  recordFound,
  type EarlierImage,
} from './last-good-step.js';
import { launchServer, quotaRefusal } from './launch-step.js';

export type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';

/**
 * Everything `/build/<provider>/<spec>` does after the request checks: resolve, look for
 * the image, build it through the queue if absent (attaching to a build already running),
 * then launch. Returns the terminal event (`ready` or `failed`); the caller sends it.
 */
export async function runLaunchFlow(
  deps: FlowDeps,
  req: FlowRequest,
  sink: FlowSink,
): Promise<BuildEvent> {
  try {
    return await flow(deps, req, sink);
  } catch (err) {
    if (err instanceof HttpError) return failedEvent(err.message, err.status);
    if (err instanceof LaunchError) return failedEvent(err.message, err.status);
    if (sink.signal.aborted) return failedEvent('Request cancelled');
    deps.log.error({ err, prefix: req.prefix, spec: req.spec }, 'launch flow failed');
    return failedEvent('Internal Server Error', 500);
  }
}

async function flow(deps: FlowDeps, req: FlowRequest, sink: FlowSink): Promise<BuildEvent> {
  const startedAt = performance.now();
  const entry = deps.providers.get(req.prefix);
  if (!entry) return failedEvent(`No provider found for prefix ${req.prefix}`);
  let provider: RepoProvider;
  try {
    provider = entry.create(req.spec);
  } catch (err) {
    if (err instanceof SpecError) return failedEvent(err.message);
    throw err;
  }
  if (entry.policy.isBanned(req.spec)) {
    return failedEvent(
      `Sorry, ${specForDisplay(req.prefix, req.spec)} is not allowed to launch. Please contact admins for more info!`,
    );
  }
  const access = await userAccessStep(deps, entry, provider, req);
  if ('failed' in access) return access.failed;
  provider = access.provider;
  const resolved = await resolve(deps, provider, req, sink);
  if ('failed' in resolved) return resolved.failed;
  provider = resolved.provider;
  const plan = await withUserToken(
    deps,
    planBuild(entry, provider, resolved.ref, deps.config.BinderHub.image_prefix, 'launch'),
    access,
  );
  const log = deps.log.child({ build: plan.job.buildName });

  let exists: boolean;
  try {
    exists = await deps.registry.hasImage(plan.image, sink.signal);
  } catch (err) {
    if (!(err instanceof RegistryUnavailableError)) throw err;
    log.warn({ err: err.message }, 'registry unavailable');
    return failedEvent(
      `Could not check whether image ${plan.image} exists: the image registry is not answering (${err.message}). Please try again in a moment.`,
      503,
    );
  }
  const launched = { resolved_ref: plan.resolvedRef };
  if (exists) {
    recordFound(deps, plan);
    if (req.buildOnly) {
      return {
        phase: 'ready',
        imageName: plan.image,
        message: 'Done! Found built image\n',
        ...launched,
      };
    }
    sink.send({
      phase: 'built',
      imageName: plan.image,
      message: 'Found built image, launching...\n',
      ...launched,
    });
    const timing = { startedAt, buildNeeded: false, buildMs: 0 };
    return withFields(await launchServer(deps, plan, req, sink, timing), launched);
  }

  const refused = await quotaRefusal(deps, plan, sink.signal);
  if (refused) return refused;
  const earlier = req.buildOnly ? undefined : await findEarlierImage(deps, plan, sink.signal);
  if (earlier && req.fallback === 'last-good')
    return launchEarlier(deps, plan, earlier, req, sink, startedAt);
  const buildStarted = performance.now();
  const built = await build(deps, plan, req, sink, earlier)
    .then((e) => (e.phase === 'failed' ? { ...e, log_url: buildLogUrl(deps.config, plan) } : e))
    .catch((err: unknown) => {
      if (sink.signal.aborted) throw err;
      // Redis (the queue and the event relay) is the only thing `build` talks to.
      deps.log.error({ err, build: plan.job.buildName }, 'build queue unavailable');
      return failedEvent(
        'The build queue is not reachable right now, so the image cannot be built. Please try again in a moment.',
        503,
      );
    });
  if (built.phase === 'failed') return built;
  if (req.buildOnly)
    return { phase: 'ready', imageName: plan.image, message: 'Done! Image built\n', ...launched };
  sink.send({
    phase: 'built',
    imageName: plan.image,
    message: 'Built image, launching...\n',
    ...launched,
  });
  const buildMs = performance.now() - buildStarted;
  const timing = { startedAt, buildNeeded: true, buildMs };
  return withFields(await launchServer(deps, plan, req, sink, timing), launched);
}

/** `ready` with the fields that say what was launched; any other end as it is. */
const withFields = (end: BuildEvent, fields: Record<string, string>): BuildEvent =>
  end.phase === 'ready' ? { ...end, ...fields } : end;

/** Where the build's whole log stays readable after it ended (`/logs/<build>`, or the API in API-only mode). */
function buildLogUrl(config: FlowDeps['config'], plan: BuildPlan): string {
  const base = config.BinderHub.base_url;
  const name = plan.job.buildName;
  return config.BinderHub.enable_api_only_mode
    ? `${base}api/builds/${name}/log`
    : `${base}logs/${name}`;
}

type Resolved = { provider: RepoProvider; ref: string } | { failed: BuildEvent };

async function resolve(
  deps: FlowDeps,
  provider: RepoProvider,
  req: FlowRequest,
  sink: FlowSink,
): Promise<Resolved> {
  const what = `${req.prefix}:${specForDisplay(req.prefix, req.spec)}`;
  let ref: string | null;
  try {
    ref = await provider.resolveRef(sink.signal);
  } catch (err) {
    if (err instanceof ResolveError || err instanceof SpecError) {
      return { failed: failedEvent(`Error resolving ref for ${what}: ${err.message}`) };
    }
    throw err;
  }
  if (ref) return { provider, ref };
  let message = `Could not resolve ref for ${what}. Double check your URL and that your repo is public.`;
  const unresolved = provider.unresolvedRef;
  if (req.prefix === 'gh' && (unresolved === 'master' || unresolved === 'main')) {
    const hints = [
      ...(unresolved === 'master'
        ? ['GitHub has changed default branches from "master" to "main".']
        : []),
      "Tip: HEAD will always resolve to a repository's default branch.",
    ];
    const headSpec = req.spec.replace(/\/[^/]*$/, '/HEAD');
    const headProvider = deps.providers.get(req.prefix)!.create(headSpec);
    const headRef = await headProvider.resolveRef(sink.signal).catch(() => null);
    if (headRef) {
      sink.send({
        phase: 'waiting',
        message: `${hints.join(' ')}\nTrying again with HEAD instead of ${unresolved}. Please update your links.\n`,
      });
      return { provider: headProvider, ref: headRef };
    }
    message = `${message} ${hints.join(' ')}`;
  }
  return { failed: failedEvent(message, 404) };
}

/**
 * Enqueue (or attach to) the build and relay its events until it ends, this process
 * holding a follower lease on it meanwhile (an interactive build nobody follows is
 * cancelled). `earlier`: an earlier commit's image the client is offered instead.
 */
async function build(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
  earlier: EarlierImage | undefined,
): Promise<BuildEvent> {
  // A client resuming (Last-Event-ID) saw this already.
  if (!req.resumeAfter) sink.send({ phase: 'waiting', message: 'Waiting for build to start...\n' });
  if (earlier) sink.send(offerEvent(earlier, plan));
  else if (req.fallback && !req.resumeAfter)
    sink.send({
      phase: 'waiting',
      message: 'No earlier image of this ref to fall back to: waiting for the build.\n',
    });
  const { outcome, job } = await deps.buildQueue.enqueue(plan.job);
  deps.log.info({ build: plan.job.buildName, image: plan.image, outcome }, 'build requested');
  const release = await deps.followers.hold({
    buildName: plan.job.buildName,
    requestedAt: job.data.requestedAt,
  });
  try {
    return await followBuild(deps, plan, req.resumeAfter, sink);
  } finally {
    release();
  }
}
