import type { Redis } from 'ioredis';
import type { KeyNames } from '../keys.js';
import type { BuildRunId } from './build-run-id.js';

/** Members that keep a run followed for good (a fallback launch wants its image). */
export const KEEP_MEMBER_PREFIX = 'keep:';

/** A score as Redis returns it (`inf` for a kept run); NaN for anything else. */
export function parseScore(raw: string | undefined): number {
  if (raw === undefined) return Number.NaN;
  if (raw === 'inf' || raw === '+inf') return Number.POSITIVE_INFINITY;
  return Number(raw);
}

/**
 * Until when (ms since epoch) someone follows the run: the latest lease of any api
 * process (Infinity when the run is kept). Undefined when nobody ever registered as a
 * follower of this run (no record: the run is not tracked, and never counts as orphaned).
 */
export async function followedUntil(
  redis: Redis,
  keys: KeyNames,
  run: BuildRunId,
): Promise<number | undefined> {
  const rows = await redis.zrange(
    keys.buildFollowers(run.buildName, run.requestedAt),
    -1,
    -1,
    'WITHSCORES',
  );
  if (rows.length < 2) return undefined;
  const score = parseScore(rows[1]);
  // A record we cannot read keeps the build: cancelling is never the default.
  return Number.isNaN(score) ? Number.POSITIVE_INFINITY : score;
}
