/**
 * Milliseconds of batching per follower: about what handing a batch to one follower
 * costs (one write), so the time spent on fan-out stays bounded however many follow.
 */
export const LIVE_BATCH_MS_PER_FOLLOWER = 0.015;

/** Default most batching window: a burst of log lines reaches 1,000 followers in a few writes each. */
export const LIVE_BATCH_MS = 15;

/** The batching window of a build with `followers` followers (pure). */
export function liveBatchWindowMs(
  followers: number,
  most = LIVE_BATCH_MS,
  perFollower = LIVE_BATCH_MS_PER_FOLLOWER,
): number {
  return Math.min(most, followers * perFollower);
}
