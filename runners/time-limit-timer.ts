import type { BuildFailedError } from './build-failed-error.js';
import { msUntilTimeLimit, passedTimeLimit, type BuildTimeLimits } from './build-time-limits.js';

/**
 * The build's time limits (see build-time-limits.ts) on a timer, for a backend told of
 * output as it comes (rather than polling): `output()` at every line, `started(at)` once
 * the build's start is known; `onPassed` is called once, with the error to fail the
 * build with, when a limit is reached. Counting idle time starts at construction.
 */
export class TimeLimitTimer {
  private lastOutputAt: number;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly limits: BuildTimeLimits,
    private readonly onPassed: (err: BuildFailedError) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastOutputAt = now();
    this.arm();
  }

  /** The build printed something: idle time counts from now (the timer, when it fires, sees it). */
  output(): void {
    this.lastOutputAt = this.now();
  }

  /** The build started at `at` (ms since the epoch); only the first call counts. */
  started(at: number): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = at;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private clock() {
    return { now: this.now(), lastOutputAt: this.lastOutputAt, startedAt: this.startedAt };
  }

  private arm(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = msUntilTimeLimit(this.limits, this.clock());
    if (wait === undefined) return;
    this.timer = setTimeout(() => {
      const err = passedTimeLimit(this.limits, this.clock());
      if (!err) return this.arm(); // output since, or the timer fired a little early
      this.stop();
      this.onPassed(err);
    }, wait);
  }
}
