import { builtEvent, type BuildEvent } from '../../queue/index.js';
import type { LastGood } from '../../queue/last-good/last-good-entry.js';
import { hasMovingRef } from '../../queue/last-good/last-good-entry.js';
import { planBuild, type BuildPlan } from './build-plan.js';
import type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';
import { launchServer } from './launch-step.js';

/** The `fallback` query values `/build` knows. */
export const FALLBACKS = ['last-good'] as const;
export type Fallback = (typeof FALLBACKS)[number];

const short = (commit: string) => commit.slice(0, 7);

/** An earlier commit's image of the requested ref, checked and present in the registry. */
export interface EarlierImage {
  entry: LastGood;
  /** The plan of that commit (its image is `entry.image`, recomputed). */
  plan: BuildPlan;
}

/**
 * The ref's last good image when it is of another commit than `plan`'s and the registry
 * has it: checked against the spec (see checkLastGood) before anything uses it. Never
 * throws: without Redis or the registry there is simply no fallback.
 */
export async function findEarlierImage(
  deps: Pick<FlowDeps, 'lastGood' | 'registry' | 'log' | 'config'>,
  plan: BuildPlan,
  signal: AbortSignal,
): Promise<EarlierImage | undefined> {
  if (!hasMovingRef(plan.provider)) return undefined;
  try {
    const found = await deps.lastGood.read(plan.provider);
    if (!found) return undefined;
    if (!found.ok) {
      deps.log.warn(
        { build: plan.job.buildName, reason: found.reason },
        'last good record ignored',
      );
      return undefined;
    }
    if (found.entry.commit === plan.resolvedRef) return undefined;
    const earlier = planBuild(
      plan.entry,
      plan.provider,
      found.entry.commit,
      deps.config.BinderHub.image_prefix,
      'launch',
    );
    if (earlier.image !== found.entry.image) return undefined;
    if (!(await deps.registry.hasImage(earlier.image, signal))) return undefined;
    return { entry: found.entry, plan: earlier };
  } catch (err) {
    if (signal.aborted) throw err;
    deps.log.warn({ err: (err as Error).message }, 'last good image not looked up');
    return undefined;
  }
}

/** Records a launch's image found in the registry as its ref's last good one (best effort). */
export function recordFound(deps: Pick<FlowDeps, 'lastGood' | 'log'>, plan: BuildPlan): void {
  if (!hasMovingRef(plan.provider)) return;
  const entry = { commit: plan.resolvedRef, image: plan.image, resolvedAt: Date.now() };
  deps.lastGood
    .record(plan.provider, entry)
    .catch((err: Error) => deps.log.warn({ err: err.message }, 'last good image not recorded'));
}

/** What `built` and `ready` say about a launch of an earlier commit's image. */
function fallbackFields(earlier: EarlierImage, latest: BuildPlan) {
  return {
    resolved_ref: earlier.entry.commit,
    fallback: 'last-good',
    latest_ref: latest.resolvedRef,
    built_at: new Date(earlier.entry.builtAt).toISOString(),
  };
}

/**
 * The offer beside a build: the ref's earlier image can start now (`?fallback=last-good`,
 * the launch page's button). `last_good` carries the commit and when it was built.
 */
export function offerEvent(earlier: EarlierImage, latest: BuildPlan): BuildEvent {
  const at = new Date(earlier.entry.builtAt).toISOString();
  return {
    phase: 'waiting',
    message: `Commit ${short(latest.resolvedRef)} of ${latest.provider.unresolvedRef} is not built yet. The image of the earlier commit ${short(earlier.entry.commit)} (built ${at}) can start now instead: fallback=last-good.\n`,
    last_good: { commit: earlier.entry.commit, built_at: at },
  };
}

/**
 * `?fallback=last-good`: launches the earlier commit's image now. The build of the new
 * commit is queued (or joined) as usual and kept — nobody follows it from here, so it
 * must not count as abandoned — for the launches after it is built. Returns `ready`.
 */
export async function launchEarlier(
  deps: FlowDeps,
  latest: BuildPlan,
  earlier: EarlierImage,
  req: FlowRequest,
  sink: FlowSink,
  startedAt: number,
): Promise<BuildEvent> {
  try {
    const { job } = await deps.buildQueue.enqueue(latest.job);
    await deps.followers.keep(
      { buildName: job.data.buildName, requestedAt: job.data.requestedAt },
      'fallback',
    );
  } catch (err) {
    if (sink.signal.aborted) throw err;
    // The old image can still start: the next launch queues the build again.
    deps.log.warn({ err: (err as Error).message }, 'build of the latest commit not queued');
  }
  const fields = fallbackFields(earlier, latest);
  const message = `Launching the image of the earlier commit ${short(earlier.entry.commit)} (built ${fields.built_at}) while ${short(latest.resolvedRef)} builds...\n`;
  sink.send(builtEvent(earlier.plan.image, message, fields));
  const timing = { startedAt, buildNeeded: false, buildMs: 0 };
  return { ...(await launchServer(deps, earlier.plan, req, sink, timing)), ...fields };
}
