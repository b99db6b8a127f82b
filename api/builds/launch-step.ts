import { scrubUrl, type BuildEvent } from '../../queue/index.js';
import { emitLaunchEvent } from '../event-log/launch-event-emitter.js';
import { QuotaExceededError } from '../launch/launch-quota.js';
import type { LaunchResult } from '../launch/launcher.js';
import type { BuildPlan } from './build-plan.js';
import type { FlowDeps, FlowRequest, FlowSink, LaunchTiming } from './flow-types.js';
import { launchRequestFor } from './launch-request.js';

/**
 * The quota check upstream runs before a build and before each launch: throws
 * QuotaExceededError (counted in `binderhub_launch_count` with the quota's label).
 */
export async function checkQuota(
  deps: FlowDeps,
  plan: BuildPlan,
  signal: AbortSignal,
): Promise<void> {
  const repoQuota = plan.entry.policy.repoConfig(plan.provider.spec).quota;
  try {
    await deps.quota.check({ image: plan.image, repoUrl: plan.job.repoUrl, repoQuota }, signal);
  } catch (err) {
    if (err instanceof QuotaExceededError) {
      const repo = scrubUrl(plan.job.repoUrl);
      deps.metrics.launchCount.inc({ status: err.status, provider: plan.entry.name, repo });
    }
    throw err;
  }
}

/** A warm pool's server of the image, when the pool has one ready (never throws). */
async function claimPooled(deps: FlowDeps, plan: BuildPlan, req: FlowRequest, sink: FlowSink) {
  const pool = deps.pool;
  // A logged-in user gets a server of their own, never a temporary user's.
  if (!pool || req.user) return undefined;
  const secret = plan.provider.urlCredentials() !== undefined;
  pool
    .recordLaunch(req.prefix, plan.provider.spec, req.launchHost, secret)
    .catch((err: Error) => deps.log.warn({ err: err.message }, 'pool: launch not counted'));
  try {
    return await pool.claim(plan.image, sink.signal);
  } catch (err) {
    if (sink.signal.aborted) throw err;
    deps.log.warn({ err: (err as Error).message }, 'pool: claim failed, launching');
    return undefined;
  }
}

/** A server for the request: a pooled one, else one the launcher starts now. */
async function startServer(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
): Promise<{ result: LaunchResult; pooled: boolean }> {
  const claimed = await claimPooled(deps, plan, req, sink);
  if (claimed) return { result: { ...claimed.info, attempt: 0 }, pooled: true };
  const result = await deps.launcher.launch(
    launchRequestFor(plan, req),
    (message) =>
      sink.send({ phase: 'launching', message: message.endsWith('\n') ? message : `${message}\n` }),
    sink.signal,
  );
  return { result, pooled: false };
}

/**
 * Quota check, `launching`, a server (pooled or started), metrics, the launch event:
 * returns `ready`, throws what stopped the launch.
 */
export async function launchServer(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
  timing: LaunchTiming,
): Promise<BuildEvent> {
  const { metrics } = deps;
  const labels = { provider: plan.entry.name, repo: scrubUrl(plan.job.repoUrl) };
  await checkQuota(deps, plan, sink.signal);
  sink.send({ phase: 'launching', message: 'Launching server...\n' });
  const started = performance.now();
  metrics.inprogressLaunches.inc();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(deps, plan, req, sink);
  } catch (err) {
    const seconds = (performance.now() - started) / 1000;
    metrics.launchTime.observe({ status: 'failure', retries: -1 }, seconds);
    metrics.launchCount.inc({ status: 'failure', ...labels });
    throw err;
  } finally {
    metrics.inprogressLaunches.dec();
  }
  const ended = performance.now();
  // The registry cleaner keeps images launched within RegistryCleaner.max_age_days.
  deps.imageUse?.record(plan.image).catch((err: Error) => {
    deps.log.warn({ err: err.message, image: plan.image }, 'image launch not recorded');
  });
  const { attempt, ...info } = server.result;
  metrics.launchTime.observe({ status: 'success', retries: attempt }, (ended - started) / 1000);
  metrics.launchCount.inc({ status: 'success', ...labels });
  if (deps.eventLog) {
    emitLaunchEvent(deps.eventLog, deps.config.BinderHub.normalized_origin, {
      providerName: plan.entry.name,
      spec: plan.provider.spec,
      ref: plan.resolvedRef,
      buildToken: req.buildToken,
      header: req.header,
      timing: {
        buildNeeded: timing.buildNeeded,
        buildSeconds: timing.buildMs / 1000,
        launchSeconds: (ended - started) / 1000,
        totalSeconds: (ended - timing.startedAt) / 1000,
        pooled: server.pooled,
      },
    });
  }
  return { phase: 'ready', message: `server running at ${info.url}\n`, ...info };
}
