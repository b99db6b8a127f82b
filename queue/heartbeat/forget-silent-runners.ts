import type { Redis } from 'ioredis';
import { parseHeartbeats, type RunnerBeat } from './runner-heartbeat.js';

/** `Runner.forget_after`'s default: a runner silent for 10 minutes is gone. */
export const FORGET_AFTER_SECONDS = 600;

/** True when a runner has been silent for longer than `forgetAfterSeconds` (it is gone). */
export function isForgotten(beat: RunnerBeat, now: number, forgetAfterSeconds: number): boolean {
  return now - beat.at > forgetAfterSeconds * 1000;
}

/**
 * Reads the runners hash, removes the entries of runners silent for longer than
 * `Runner.forget_after` (a dead runner never removes its own), and returns the others.
 * A failed removal is left for the next reader.
 */
export async function readRunnerBeats(
  redis: Redis,
  key: string,
  now: number,
  forgetAfterSeconds: number,
): Promise<RunnerBeat[]> {
  const beats = parseHeartbeats(await redis.hgetall(key));
  const gone = beats.filter((b) => isForgotten(b, now, forgetAfterSeconds));
  if (gone.length > 0) await redis.hdel(key, ...gone.map((b) => b.runner)).catch(() => undefined);
  return beats.filter((b) => !isForgotten(b, now, forgetAfterSeconds));
}
