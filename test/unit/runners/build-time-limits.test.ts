import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BuildFailedError } from '../../../runners/build-failed-error.js';
import {
  buildTimeLimits,
  msUntilTimeLimit,
  passedTimeLimit,
} from '../../../runners/build-time-limits.js';
import { TimeLimitTimer } from '../../../runners/time-limit-timer.js';

// BuildExecutor.idle_timeout and max_age: one rule and one wording for both backends
// (the docker backend polls it, the Kubernetes backend runs it on a timer).

const limits = buildTimeLimits({ idle_timeout: 10, max_age: 60 });

describe('build time limits', () => {
  it('read BuildExecutor.* in seconds', () => {
    expect(limits).toEqual({ idleTimeoutMs: 10_000, maxAgeMs: 60_000 });
  });

  it('stop a build that printed nothing for idle_timeout, naming the setting', () => {
    const clock = { now: 20_000, lastOutputAt: 10_000, startedAt: 0 };
    expect(passedTimeLimit(limits, { ...clock, now: 19_999 })).toBeUndefined();
    const err = passedTimeLimit(limits, clock)!;
    expect(err.reason).toBe('idle');
    expect(err.message).toBe(
      'The build printed nothing for 10 seconds (BuildExecutor.idle_timeout), so it was stopped.',
    );
  });

  it('stop a build running longer than max_age (from its start), naming the setting', () => {
    const clock = { now: 60_000, lastOutputAt: 59_000, startedAt: 0 };
    expect(passedTimeLimit(limits, { ...clock, now: 59_999 })).toBeUndefined();
    const err = passedTimeLimit(limits, clock)!;
    expect(err.reason).toBe('max_age');
    expect(err.message).toBe(
      'The build ran for more than 60 seconds (BuildExecutor.max_age), so it was stopped.',
    );
    // no start known yet (a pod not seen): max_age does not apply
    expect(passedTimeLimit(limits, { ...clock, startedAt: undefined })).toBeUndefined();
  });

  it('are off at 0', () => {
    const off = buildTimeLimits({ idle_timeout: 0, max_age: 0 });
    const clock = { now: 1e12, lastOutputAt: 0, startedAt: 0 };
    expect(passedTimeLimit(off, clock)).toBeUndefined();
    expect(msUntilTimeLimit(off, clock)).toBeUndefined();
  });

  it('say how long until the first limit is reached', () => {
    expect(msUntilTimeLimit(limits, { now: 1000, lastOutputAt: 0, startedAt: undefined })).toBe(
      9000,
    );
    expect(msUntilTimeLimit(limits, { now: 55_000, lastOutputAt: 54_000, startedAt: 0 })).toBe(
      5000,
    );
    expect(msUntilTimeLimit(limits, { now: 70_000, lastOutputAt: 0, startedAt: 0 })).toBe(0);
  });
});

describe('TimeLimitTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const timer = (idle: number, maxAge: number) => {
    const passed: BuildFailedError[] = [];
    const t = new TimeLimitTimer(buildTimeLimits({ idle_timeout: idle, max_age: maxAge }), (e) =>
      passed.push(e),
    );
    return { t, passed };
  };

  it('fails once at idle_timeout, output putting it off', () => {
    vi.useFakeTimers();
    const { t, passed } = timer(10, 0);
    vi.advanceTimersByTime(9000);
    t.output();
    vi.advanceTimersByTime(9000);
    expect(passed).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(passed.map((e) => e.reason)).toEqual(['idle']);
    vi.advanceTimersByTime(60_000);
    expect(passed).toHaveLength(1);
  });

  it('fails at max_age counted from the start it is told, whatever the output', () => {
    vi.useFakeTimers();
    const { t, passed } = timer(10, 30);
    t.started(Date.now() - 25_000); // a pod created 25 s ago (a runner attaching)
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(1000);
      t.output();
    }
    expect(passed).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(passed.map((e) => e.reason)).toEqual(['max_age']);
  });

  it('does nothing once stopped', () => {
    vi.useFakeTimers();
    const { t, passed } = timer(10, 30);
    t.stop();
    vi.advanceTimersByTime(60_000);
    expect(passed).toEqual([]);
  });
});
