/** The states of a build job the queue counts (BullMQ 6 has no separate paused state). */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'failed',
  'completed',
  'waiting-children',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job's state as read: one of `JOB_STATES`, or `unknown` once it left the queue. */
export type ReadJobState = JobState | 'unknown';

/** Queued, not yet picked up by a runner. */
const NOT_STARTED: ReadonlySet<string> = new Set([
  'waiting',
  'prioritized',
  'delayed',
  'waiting-children',
]);

/**
 * The finished-states rule: a job `completed`, `failed`, or gone from the queue
 * (`unknown`) will not run, and no runner will publish anything more for it.
 */
export function isFinishedState(state: string): boolean {
  return state === 'completed' || state === 'failed' || state === 'unknown';
}

/** A job waiting to be picked up by a runner (not running, not finished). */
export function isNotStartedState(state: string): boolean {
  return NOT_STARTED.has(state);
}
