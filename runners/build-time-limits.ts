import { BuildFailedError } from './build-failed-error.js';

/**
 * `BuildExecutor.idle_timeout` and `BuildExecutor.max_age` in milliseconds (0 = off):
 * the limits every backend stops a build at, with the same rule and the same messages.
 */
export interface BuildTimeLimits {
  /** No output for this long stops the build. */
  idleTimeoutMs: number;
  /** Running longer than this, counted from the build's start, stops the build. */
  maxAgeMs: number;
}

/** Where a build stands against its limits (ms since the epoch). */
export interface BuildClock {
  now: number;
  /** When the build last printed (or was started or attached to). */
  lastOutputAt: number;
  /** When the build started (its run, its pod's creation); undefined while unknown. */
  startedAt: number | undefined;
}

/** The limits from the configuration's `BuildExecutor.*` (seconds). */
export function buildTimeLimits(e: { idle_timeout: number; max_age: number }): BuildTimeLimits {
  return { idleTimeoutMs: e.idle_timeout * 1000, maxAgeMs: e.max_age * 1000 };
}

const seconds = (ms: number) => `${ms / 1000} seconds`;

/** The error a build stopped for printing nothing for `idleTimeoutMs` fails with. */
export function idleTimeoutError(idleTimeoutMs: number): BuildFailedError {
  return new BuildFailedError(
    `The build printed nothing for ${seconds(idleTimeoutMs)} (BuildExecutor.idle_timeout), so it was stopped.`,
    'idle',
  );
}

/** The error a build stopped for running longer than `maxAgeMs` fails with. */
export function maxAgeError(maxAgeMs: number): BuildFailedError {
  return new BuildFailedError(
    `The build ran for more than ${seconds(maxAgeMs)} (BuildExecutor.max_age), so it was stopped.`,
    'max_age',
  );
}

/** The limit a build has reached, as the error to fail it with; undefined within both (pure). */
export function passedTimeLimit(l: BuildTimeLimits, c: BuildClock): BuildFailedError | undefined {
  if (l.idleTimeoutMs > 0 && c.now - c.lastOutputAt >= l.idleTimeoutMs)
    return idleTimeoutError(l.idleTimeoutMs);
  if (l.maxAgeMs > 0 && c.startedAt !== undefined && c.now - c.startedAt >= l.maxAgeMs)
    return maxAgeError(l.maxAgeMs);
  return undefined;
}

/**
 * Milliseconds from `now` until the build reaches a limit if it prints nothing more
 * (0: reached); undefined when no limit applies (both off, or only max_age and no start yet).
 */
export function msUntilTimeLimit(l: BuildTimeLimits, c: BuildClock): number | undefined {
  const left: number[] = [];
  if (l.idleTimeoutMs > 0) left.push(c.lastOutputAt + l.idleTimeoutMs - c.now);
  if (l.maxAgeMs > 0 && c.startedAt !== undefined) left.push(c.startedAt + l.maxAgeMs - c.now);
  return left.length === 0 ? undefined : Math.max(0, Math.min(...left));
}
