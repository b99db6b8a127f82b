import type { V1Pod } from '@kubernetes/client-node';
import { nanosSince } from './log-timestamp.js';
import { podCreatedAt } from './pod-status.js';

/**
 * Where each event of a build pod sits in the build: a log line at its kubelet time (ns
 * since the pod was created), anything else just after the last event. Every runner
 * that reads the pod computes the same positions, so lines replayed after a re-attach
 * are dropped by the event bus instead of shown twice.
 */
export class PodEventPositions {
  private last = 0;

  /** The position of the next event (`ts`: its log time, if a line); undefined before the pod is known. */
  next(pod: V1Pod | undefined, ts: string | undefined): number | undefined {
    const origin = pod && podCreatedAt(pod);
    if (origin === undefined) return undefined;
    const at = ts === undefined ? undefined : nanosSince(ts, origin);
    this.last = Math.max(at ?? 0, this.last + 1);
    return this.last;
  }
}
