import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  BuildFailedError,
  BuildQueueUnavailableError,
  failedEventFor,
  RefNotResolvedError,
  SpecRefusedError,
} from '../../../../api/builds/flow-errors.js';
import { HttpError } from '../../../../api/http/http-error.js';
import { QuotaExceededError } from '../../../../api/launch/launch-quota.js';
import { LaunchError } from '../../../../api/launch/launcher.js';

function context(aborted = false) {
  const ctrl = new AbortController();
  if (aborted) ctrl.abort();
  const lines: string[] = [];
  const log = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) });
  return { ctx: { signal: ctrl.signal, log, prefix: 'gh', spec: 'o/r/HEAD' }, lines };
}

describe('failedEventFor: the one mapping from a step error to the failed event', () => {
  it('tells bad input without a status, as upstream', () => {
    const { ctx } = context();
    expect(failedEventFor(new SpecRefusedError('No provider found for prefix x'), ctx)).toEqual({
      phase: 'failed',
      message: 'No provider found for prefix x\n',
    });
    expect(failedEventFor(new RefNotResolvedError('Could not resolve', 404), ctx)).toEqual({
      phase: 'failed',
      status_code: 404,
      message: 'Could not resolve\n',
    });
  });

  it('keeps a failed build its own fields, names its log, and fills in a missing message', () => {
    const { ctx } = context();
    const runner = { phase: 'failed', message: 'Build refused: x\n', extra: 1 };
    expect(failedEventFor(new BuildFailedError(runner, '/logs/b'), ctx)).toEqual({
      ...runner,
      log_url: '/logs/b',
    });
    expect(failedEventFor(new BuildFailedError({ phase: 'failed' }, '/logs/b'), ctx)).toEqual({
      phase: 'failed',
      message: 'Build failed\n',
      log_url: '/logs/b',
    });
    expect(failedEventFor(new BuildQueueUnavailableError(), ctx).status_code).toBe(503);
  });

  it('maps the errors other modules throw: quota 429, HTTP and launch errors with their status', () => {
    const { ctx } = context();
    const quota = new QuotaExceededError('Too many users running x', 'repo_quota');
    expect(failedEventFor(quota, ctx)).toEqual({
      phase: 'failed',
      status_code: 429,
      message: 'Too many users running x\n',
    });
    expect(failedEventFor(new HttpError(502, 'bad gateway'), ctx).status_code).toBe(502);
    expect(failedEventFor(new LaunchError('no server'), ctx)).toEqual({
      phase: 'failed',
      status_code: 500,
      message: 'no server\n',
    });
  });

  it('says "Request cancelled" after the client left, else 500 without details (logged)', () => {
    const gone = context(true);
    expect(failedEventFor(new Error('socket closed'), gone.ctx).message).toBe(
      'Request cancelled\n',
    );
    expect(gone.lines).toEqual([]);
    const { ctx, lines } = context();
    expect(failedEventFor(new Error('secret detail'), ctx)).toEqual({
      phase: 'failed',
      status_code: 500,
      message: 'Internal Server Error\n',
    });
    expect(lines.join('')).toContain('launch flow failed');
  });
});
