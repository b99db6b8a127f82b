import { isTerminalBuildEvent, type BuildEvent } from '../../queue/index.js';
import type { BuildPlan } from './build-plan.js';
import { BuildFailedError, BuildQueueUnavailableError } from './flow-errors.js';
import type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';
import { followBuild } from './follow-build.js';
import { offerEvent, type EarlierImage } from './last-good-step.js';

/**
 * Enqueue (or attach to) the build of `plan.image` and relay its events until it ends,
 * this process holding a follower lease on it meanwhile (an interactive build nobody
 * follows is cancelled). Returns once the image is built. Throws BuildFailedError when
 * the build failed, BuildQueueUnavailableError when Redis (the queue, the event relay)
 * did. `earlier`: an earlier commit's image the client is offered instead.
 */
export async function buildImage(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
  earlier: EarlierImage | undefined,
): Promise<void> {
  // A client resuming (Last-Event-ID) saw this already.
  if (!req.resumeAfter) sink.send({ phase: 'waiting', message: 'Waiting for build to start...\n' });
  if (earlier) sink.send(offerEvent(earlier, plan));
  else if (req.fallback && !req.resumeAfter)
    sink.send({
      phase: 'waiting',
      message: 'No earlier image of this ref to fall back to: waiting for the build.\n',
    });
  let end: BuildEvent;
  try {
    end = await enqueueAndRelay(deps, plan, req, sink);
  } catch (err) {
    if (sink.signal.aborted) throw err;
    // Redis (the queue and the event relay) is the only thing the build step talks to.
    deps.log.error({ err, build: plan.job.buildName }, 'build queue unavailable');
    throw new BuildQueueUnavailableError();
  }
  if (end.phase === 'failed') throw new BuildFailedError(end, buildLogUrl(deps.config, plan));
}

/** The build's terminal event, its other events relayed to the client. */
async function enqueueAndRelay(
  deps: FlowDeps,
  plan: BuildPlan,
  req: FlowRequest,
  sink: FlowSink,
): Promise<BuildEvent> {
  const { outcome, job } = await deps.buildQueue.enqueue(plan.job);
  deps.log.info({ build: plan.job.buildName, image: plan.image, outcome }, 'build requested');
  const release = await deps.followers.hold({
    buildName: plan.job.buildName,
    requestedAt: job.data.requestedAt,
  });
  try {
    const whenWritable = sink.whenWritable?.bind(sink);
    for await (const item of followBuild(deps, plan, req.resumeAfter, sink.signal, whenWritable)) {
      if ('batch' in item) {
        // Live log lines that arrived together: one shared write for every client.
        if (sink.sendBatch) sink.sendBatch(item.batch);
        else for (const e of item.batch.events) sink.send(e.event, e.id, e.json);
      } else if (isTerminalBuildEvent(item.event)) return item.event;
      else sink.send(item.event, item.id, item.json);
    }
    throw new Error('the build events ended without a terminal event');
  } finally {
    release();
  }
}

/** Where the build's whole log stays readable after it ended (`/logs/<build>`, or the API in API-only mode). */
function buildLogUrl(config: FlowDeps['config'], plan: BuildPlan): string {
  const base = config.BinderHub.base_url;
  const name = plan.job.buildName;
  return config.BinderHub.enable_api_only_mode
    ? `${base}api/builds/${name}/log`
    : `${base}logs/${name}`;
}
