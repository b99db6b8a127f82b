import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../runners/log-line.js';
import { buildFailureMessage } from '../../../runners/docker/build-failure-message.js';

describe('repo2docker log lines', () => {
  it('keeps a traceback (exc_info) out of the event and hands it to the log', () => {
    const line = JSON.stringify({
      phase: 'failed',
      message: "Error during build: ('Connection aborted.', RemoteDisconnected())",
      exc_info: 'Traceback (most recent call last):\n  File "/x.py", line 1\n',
    });
    const internals: Array<Record<string, unknown>> = [];
    const event = parseLogLine(line, (f) => internals.push(f));
    expect(event).toEqual({
      phase: 'failed',
      message: "Error during build: ('Connection aborted.', RemoteDisconnected())",
    });
    expect(internals).toEqual([{ exc_info: expect.stringMatching(/^Traceback/) }]);
  });

  it('passes other fields through, and plain text as phase unknown', () => {
    expect(parseLogLine('{"phase":"building","message":"Step 1/2","progress":{"a":1}}')).toEqual({
      phase: 'building',
      message: 'Step 1/2',
      progress: { a: 1 },
    });
    expect(parseLogLine('plain text')).toEqual({ phase: 'unknown', message: 'plain text\n' });
  });
});

describe('the message of a failed build', () => {
  const base = { exitCode: 1, lastLine: 'x', engineRestarted: false, engineReachable: true };
  it('says the engine restarted, or is unreachable, before anything repo2docker said', () => {
    const failureLine = "Error during build: ('Connection broken: IncompleteRead(0 bytes read)')";
    expect(buildFailureMessage({ ...base, failureLine, engineRestarted: true })).toBe(
      'The Docker engine restarted during the build, which stopped it. Reload the page to try again.',
    );
    expect(buildFailureMessage({ ...base, failureLine, engineReachable: false })).toMatch(
      /^The Docker engine is not reachable .* Reload the page to try again/,
    );
  });
  it('names a killed build step instead of a bare exit code', () => {
    const failureLine = "The command '/bin/sh -c make' returned a non-zero code: 137";
    expect(buildFailureMessage({ ...base, failureLine })).toMatch(
      /^The build was killed \(exit code 137\)/,
    );
  });
  it("keeps repo2docker's own message for a build that fails by itself", () => {
    const failureLine = "The command '/bin/sh -c false' returned a non-zero code: 1";
    expect(buildFailureMessage({ ...base, failureLine })).toBe(failureLine);
    expect(buildFailureMessage({ ...base, exitCode: 2, lastLine: 'usage\n' })).toBe(
      'repo2docker exited with code 2: usage',
    );
  });
});
