import {
  failedEvent,
  isFinishedState,
  isTerminalBuildEvent,
  withTimeout,
  type BuildEvent,
  type Following,
  type LiveBatch,
  type StoredBuildEvent,
} from '../../queue/index.js';
import type { FlowDeps, FlowSink } from './flow-types.js';
import type { BuildPlan } from './build-plan.js';

type Deps = Pick<FlowDeps, 'config' | 'log' | 'bus' | 'buildQueue' | 'registry'>;

/**
 * Relays a build's events (after `resumeAfter`) to the client until its terminal event,
 * which it returns. A silence of `BuildQueue.follow_check_interval` makes it look again:
 * it reads what the history has after the last event relayed (anything the live feed
 * missed) and the job's state; a job that ended without a terminal event (it was lost
 * while Redis was down) ends the stream — `built` when its image exists, else `failed`
 * saying so. Every follower thus gets an end.
 */
export function followBuild(
  deps: Deps,
  plan: BuildPlan,
  resumeAfter: string | undefined,
  sink: FlowSink,
): Promise<BuildEvent> {
  const name = plan.job.buildName;
  const checkMs = deps.config.BuildQueue.follow_check_interval * 1000;
  return new Promise<BuildEvent>((resolve, reject) => {
    let following: Following | undefined;
    let done = false;
    let lastEventAt = Date.now();
    let checking = false;
    const timer = setInterval(() => void check(), Math.max(250, checkMs / 4));
    timer.unref();
    const stop = () => {
      done = true;
      clearInterval(timer);
      following?.();
      sink.signal.removeEventListener('abort', onAbort);
    };
    const finish = (e: BuildEvent) => {
      if (done) return;
      stop();
      resolve(e);
    };
    const onAbort = () => finish(failedEvent('Request cancelled'));
    sink.signal.addEventListener('abort', onAbort, { once: true });
    const onEvent = ({ id, event, json }: StoredBuildEvent) => {
      if (done) return;
      lastEventAt = Date.now();
      if (!isTerminalBuildEvent(event)) return sink.send(event, id, json);
      finish(
        event.phase === 'failed' ? { ...event, message: event.message || 'Build failed\n' } : event,
      );
    };
    // Live log lines that arrived together: one shared write for every client.
    const onBatch = (batch: LiveBatch) => {
      if (done) return;
      if (batch.terminalAt() < 0 && sink.sendBatch) {
        lastEventAt = Date.now();
        sink.sendBatch(batch);
      } else for (const e of batch.events) onEvent(e);
    };
    const check = async () => {
      if (done || checking || !following || Date.now() - lastEventAt < checkMs) return;
      checking = true;
      try {
        const ended = await endedWithoutResult(deps, plan, following, () => done);
        if (ended) finish(ended);
      } catch (err) {
        deps.log.warn({ build: name, err: (err as Error).message }, 'build check failed');
      } finally {
        lastEventAt = Date.now();
        checking = false;
      }
    };
    deps.bus
      .follow(name, resumeAfter, onEvent, { whenReady: sink.whenWritable?.bind(sink), onBatch })
      .then((f) => {
        if (done) f();
        else following = f;
      })
      .catch((err: unknown) => {
        if (done) return;
        stop();
        reject(err);
      });
  });
}

/**
 * The terminal event a silent build should end with, or undefined while it may still
 * report one. The state is read before the history: a runner publishes the terminal
 * event before it completes the job, so an ended job's event, if any, is read after.
 */
async function endedWithoutResult(
  deps: Deps,
  plan: BuildPlan,
  following: Following,
  isDone: () => boolean,
): Promise<BuildEvent | undefined> {
  const job = await withTimeout(deps.buildQueue.jobState(plan.job.buildName), 5000, 'Redis');
  await withTimeout(following.catchUp(), 10_000, 'Redis');
  if (isDone() || (job && !isFinishedState(job.state))) return undefined;
  deps.log.warn({ build: plan.job.buildName, job }, 'the build ended without a final event');
  const exists = await deps.registry.hasImage(plan.image).catch(() => false);
  if (exists)
    return { phase: 'built', imageName: plan.image, message: 'Built image, launching...\n' };
  const why = job?.failedReason ? ` (${job.failedReason})` : '';
  return failedEvent(
    `The build of ${plan.image} stopped without reporting its result${why}. Reload the page to try again.`,
  );
}
