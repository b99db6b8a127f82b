import type { V1Pod } from '@kubernetes/client-node';
import type { BuildEvent } from '../../queue/index.js';
import { BuildFailedError } from '../build-failed-error.js';
import * as status from './pod-status.js';

/**
 * What the states of a build pod mean for its build, as the events and errors the
 * people waiting are shown (pure: BuildPodSession acts on them).
 */

/** The pod went away (or is being deleted) before the build finished. */
export function deletedPodError(name: string, pod: V1Pod): BuildFailedError {
  const why = status.podPhase(pod) === 'Failed' ? ` (${status.podFailureMessage(pod)})` : '.';
  return new BuildFailedError(`The build pod ${name} was deleted before the build finished${why}`);
}

/** The pod's state is Unknown (its node may be unreachable): told once. */
export function unknownPodEvent(name: string): BuildEvent {
  return {
    phase: 'unknown',
    message: `The state of build pod ${name} is unknown (its node may be unreachable).\n`,
  };
}

/**
 * A pod waiting to start: nothing to say (an ordinary reason), a `waiting` event (told
 * once per `reason`), or a failure (a reason that never resolves by itself).
 */
export function waitingPodReport(
  pod: V1Pod,
): { fail: BuildFailedError } | { reason: string; event: BuildEvent } | undefined {
  const waiting = status.podWaitingReason(pod);
  if (!waiting || status.QUIET_WAITING_REASONS.has(waiting.reason)) return undefined;
  const text = `Build pod is waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
  if (status.FATAL_WAITING_REASONS.has(waiting.reason))
    return { fail: new BuildFailedError(`${text}; check KubernetesBuildExecutor.build_image.`) };
  return { reason: waiting.reason, event: { phase: 'waiting', message: `${text}\n` } };
}

/**
 * The outcome of a pod whose log is read: `built`, a failure (repo2docker's own failure
 * line, else what the pod's status says), or undefined when the pod has not ended.
 */
export function endedPodOutcome(
  pod: V1Pod | undefined,
  failureLine: string | undefined,
): 'built' | BuildFailedError | undefined {
  const phase = status.podPhase(pod);
  if (phase === 'Succeeded' && !failureLine) return 'built';
  if (phase !== 'Succeeded' && phase !== 'Failed') return undefined;
  const why = failureLine ?? status.podFailureMessage(pod!);
  return new BuildFailedError(why.startsWith('Build') ? why : `Build failed: ${why}`);
}
