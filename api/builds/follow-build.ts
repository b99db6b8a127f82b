import {
  builtEvent,
  failedEvent,
  isFinishedState,
  isTerminalBuildEvent,
  withTimeout,
  type BuildEvent,
  type Following,
  type LiveBatch,
  type StoredBuildEvent,
} from '../../queue/index.js';
import type { BuildPlan } from './build-plan.js';
import { RequestCancelledError } from './flow-errors.js';
import type { FlowDeps } from './flow-types.js';
import { PushedItems } from './pushed-items.js';

type Deps = Pick<FlowDeps, 'config' | 'log' | 'bus' | 'buildQueue' | 'registry'>;

/** What a follower relays: one event, or live events that arrived together (none terminal). */
export type Followed = { event: BuildEvent; id?: string; json?: string } | { batch: LiveBatch };

/**
 * A build's events after `resumeAfter`, as an async iterator that ends after the build's
 * terminal event (`built` or `failed`, yielded last, without its id). A silence of
 * `BuildQueue.follow_check_interval` makes it look again: it reads what the history has
 * after the last event relayed (anything the live feed missed) and the job's state; a job
 * that ended without a terminal event (it was lost while Redis was down) ends it —
 * `built` when its image exists, else `failed` saying so. Every follower thus gets an end.
 * The history is replayed a page at a time, the next once the consumer took the last
 * and `whenWritable` resolved. Throws RequestCancelledError when `signal` aborts, and
 * what the event bus threw when following failed.
 */
export async function* followBuild(
  deps: Deps,
  plan: BuildPlan,
  resumeAfter: string | undefined,
  signal: AbortSignal,
  whenWritable?: () => Promise<void>,
): AsyncGenerator<Followed> {
  const name = plan.job.buildName;
  const checkMs = deps.config.BuildQueue.follow_check_interval * 1000;
  const items = new PushedItems<Followed>();
  let following: Following | undefined;
  let done = false;
  let lastEventAt = Date.now();
  let checking = false;
  const finish = (event: BuildEvent) => {
    if (done) return;
    done = true;
    items.push({ event });
    items.end();
  };
  const onAbort = () => {
    done = true;
    items.fail(new RequestCancelledError());
  };
  const onEvent = ({ id, event, json }: StoredBuildEvent) => {
    if (done) return;
    lastEventAt = Date.now();
    if (isTerminalBuildEvent(event)) finish(event);
    else items.push({ event, id, json });
  };
  const onBatch = (batch: LiveBatch) => {
    if (done) return;
    if (batch.terminalAt() >= 0) return batch.events.forEach(onEvent);
    lastEventAt = Date.now();
    items.push({ batch });
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
  const timer = setInterval(() => void check(), Math.max(250, checkMs / 4));
  timer.unref();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const whenReady = async () => {
    await items.drained();
    await whenWritable?.();
  };
  deps.bus
    .follow(name, resumeAfter, onEvent, { whenReady, onBatch })
    .then((f) => {
      if (done) f();
      else following = f;
    })
    .catch((err: unknown) => {
      if (done) return;
      done = true;
      items.fail(err);
    });
  try {
    yield* items;
  } finally {
    done = true;
    clearInterval(timer);
    following?.();
    signal.removeEventListener('abort', onAbort);
  }
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
  if (exists) return builtEvent(plan.image);
  const why = job?.failedReason ? ` (${job.failedReason})` : '';
  return failedEvent(
    `The build of ${plan.image} stopped without reporting its result${why}. Reload the page to try again.`,
  );
}
