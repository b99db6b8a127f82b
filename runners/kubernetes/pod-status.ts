import type { V1Pod } from '@kubernetes/client-node';
import { BUILDER_CONTAINER } from './build-pod-labels.js';

/** Pod phases (Kubernetes pod lifecycle). */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export const podPhase = (pod: V1Pod | undefined): string | undefined => pod?.status?.phase;

export const isTerminalPhase = (phase: string | undefined): phase is 'Succeeded' | 'Failed' =>
  phase === 'Succeeded' || phase === 'Failed';

/** ms since epoch of a Kubernetes time (a Date from typed calls, a string from watches). */
export function kubeTime(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export const podCreatedAt = (pod: V1Pod) => kubeTime(pod.metadata?.creationTimestamp);

/** When the pod started running (upstream's cleaner ages pods by it), else its creation. */
export const podStartedAt = (pod: V1Pod) =>
  kubeTime(pod.status?.startTime) ?? kubeTime(pod.metadata?.creationTimestamp);

function builderStatus(pod: V1Pod) {
  const all = pod.status?.containerStatuses ?? [];
  return all.find((c) => c.name === BUILDER_CONTAINER) ?? all[0];
}

/** Why the builder container is not running yet (e.g. ImagePullBackOff), if it says. */
export function podWaitingReason(pod: V1Pod): { reason: string; message: string } | undefined {
  const waiting = builderStatus(pod)?.state?.waiting;
  if (!waiting?.reason) return undefined;
  return { reason: waiting.reason, message: waiting.message ?? '' };
}

/** Waiting reasons that never resolve by themselves: the build fails at once. */
export const FATAL_WAITING_REASONS = new Set(['InvalidImageName', 'ErrImageNeverPull']);

/** Waiting reasons too ordinary to tell anyone about. */
export const QUIET_WAITING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

/** A one-line account of why a build pod failed (eviction, OOM kill, exit code). */
export function podFailureMessage(pod: V1Pod): string {
  const name = pod.metadata?.name ?? 'build pod';
  const parts: string[] = [];
  if (pod.status?.reason) parts.push(pod.status.reason);
  if (pod.status?.message) parts.push(pod.status.message);
  const terminated = builderStatus(pod)?.state?.terminated;
  if (terminated) {
    const why = terminated.reason ? `${terminated.reason}, ` : '';
    parts.push(`repo2docker exited with ${why}exit code ${terminated.exitCode}`);
  }
  return parts.length
    ? `Build pod ${name} failed: ${parts.join(': ')}`
    : `Build pod ${name} failed`;
}
