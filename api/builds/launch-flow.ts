import { failedEvent, scrubUrl, type BuildEvent } from '../../queue/index.js';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../http/http-error.js';
import { emitLaunchEvent } from '../event-log/launch-event-emitter.js';
import { QuotaExceededError } from '../launch/launch-quota.js';
import { LaunchError, type LaunchResult } from '../launch/launcher.js';
import { ResolveError, SpecError, type RepoProvider } from '../providers/repo-provider.js';
import { RegistryUnavailableError } from '../registry/image-registry.js';
import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import { planBuild, type BuildPlan } from './build-plan.js';
import { followBuild } from './follow-build.js';

export interface FlowRequest {
  prefix: string;
  /** Raw (percent-encoded) spec, trailing `/` removed. */
  spec: string;
  buildOnly: boolean;
  /** A build-history id the client already has (EventSource Last-Event-ID). */
  resumeAfter?: string;
  clientIp: string;
  /** `binder_launch_host`: badge_base_url or `<proto>://<host><base_url>`. */
  launchHost: string;
  /** The request carried a valid build token (for the launch event). */
  buildToken: boolean;
  /** The request's headers, for the launch event's origins. */
  header: (name: string) => string | undefined;
}

export interface FlowSink {
  send(event: BuildEvent, id?: string, json?: string): void;
  /** Resolves once the client took what was sent (paces the replay of a build's log). */
  whenWritable?(): Promise<void>;
  readonly signal: AbortSignal;
}

export type FlowDeps = Pick<
  AppDeps,
  | 'config'
  | 'log'
  | 'metrics'
  | 'providers'
  | 'registry'
  | 'buildQueue'
  | 'bus'
  | 'launcher'
  | 'quota'
  | 'eventLog'
>;

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
  const resolved = await resolve(deps, provider, req, sink);
  if ('failed' in resolved) return resolved.failed;
  provider = resolved.provider;
  const plan = planBuild(
    entry,
    provider,
    resolved.ref,
    deps.config.BinderHub.image_prefix,
    'launch',
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
  if (exists) {
    if (req.buildOnly) {
      return { phase: 'ready', imageName: plan.image, message: 'Done! Found built image\n' };
    }
    sink.send({
      phase: 'built',
      imageName: plan.image,
      message: 'Found built image, launching...\n',
    });
    return launch(deps, plan, req, sink);
  }

  const refused = await quotaRefusal(deps, plan, sink.signal);
  if (refused) return refused;
  const built = await build(deps, plan, req, sink).catch((err: unknown) => {
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
    return { phase: 'ready', imageName: plan.image, message: 'Done! Image built\n' };
  sink.send({ phase: 'built', imageName: plan.image, message: 'Built image, launching...\n' });
  return launch(deps, plan, req, sink);
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

/** Enqueue (or attach to) the build and relay its events until it ends. */
async function build(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
): Promise<BuildEvent> {
  // A client resuming (Last-Event-ID) saw this already.
  if (!req.resumeAfter) sink.send({ phase: 'waiting', message: 'Waiting for build to start...\n' });
  const { outcome } = await deps.buildQueue.enqueue(plan.job);
  deps.log.info({ build: plan.job.buildName, image: plan.image, outcome }, 'build requested');
  return followBuild(deps, plan, req.resumeAfter, sink);
}

/** The quota check upstream runs before a build and before each launch. */
async function quotaRefusal(
  deps: FlowDeps,
  plan: BuildPlan,
  signal: AbortSignal,
): Promise<BuildEvent | undefined> {
  try {
    const repoQuota = plan.entry.policy.repoConfig(plan.provider.spec).quota;
    await deps.quota.check({ image: plan.image, repoUrl: plan.job.repoUrl, repoQuota }, signal);
    return undefined;
  } catch (err) {
    if (!(err instanceof QuotaExceededError)) throw err;
    const labels = {
      status: err.status,
      provider: plan.entry.name,
      repo: scrubUrl(plan.job.repoUrl),
    };
    deps.metrics.launchCount.inc(labels);
    return failedEvent(err.message, 429);
  }
}

async function launch(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
): Promise<BuildEvent> {
  const { metrics } = deps;
  const labels = { provider: plan.entry.name, repo: scrubUrl(plan.job.repoUrl) };
  const refused = await quotaRefusal(deps, plan, sink.signal);
  if (refused) return refused;
  sink.send({ phase: 'launching', message: 'Launching server...\n' });
  const started = performance.now();
  metrics.inprogressLaunches.inc();
  let result: LaunchResult;
  try {
    result = await deps.launcher.launch(
      {
        image: plan.image,
        repoUrl: plan.job.repoUrl,
        refUrl: plan.provider.refUrl(plan.resolvedRef),
        launchHost: req.launchHost,
        // The hub keeps user_options: credentials written into a git URL stay out.
        binderRequest: `v2/${req.prefix}/${specForDisplay(req.prefix, req.spec)}`,
        binderPersistentRequest: `v2/${req.prefix}/${specForDisplay(req.prefix, plan.job.resolvedSpec)}`,
        clientIp: req.clientIp,
      },
      (message) =>
        sink.send({
          phase: 'launching',
          message: message.endsWith('\n') ? message : `${message}\n`,
        }),
      sink.signal,
    );
  } catch (err) {
    const seconds = (performance.now() - started) / 1000;
    metrics.launchTime.observe({ status: 'failure', retries: -1 }, seconds);
    metrics.launchCount.inc({ status: 'failure', ...labels });
    throw err;
  } finally {
    metrics.inprogressLaunches.dec();
  }
  const seconds = (performance.now() - started) / 1000;
  metrics.launchTime.observe({ status: 'success', retries: result.attempt }, seconds);
  metrics.launchCount.inc({ status: 'success', ...labels });
  if (deps.eventLog) {
    emitLaunchEvent(deps.eventLog, deps.config.BinderHub.normalized_origin, {
      providerName: plan.entry.name,
      spec: plan.provider.spec,
      ref: plan.resolvedRef,
      buildToken: req.buildToken,
      header: req.header,
    });
  }
  const { attempt: _attempt, ...info } = result;
  return { phase: 'ready', message: `server running at ${info.url}\n`, ...info };
}
