import type { Logger } from '../../queue/index.js';
import type { EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { passedTimeLimit, type BuildTimeLimits } from '../build-time-limits.js';
import { LineSplitter } from '../line-splitter.js';
import { isFailureLine, parseLogLine } from '../log-line.js';
import type { BuildRun } from './build-run.js';
import { readFrom } from './log-tail.js';
import { killGroup, processAlive, stopGroup } from './process-alive.js';

/** The build's time limits (max_age counted from the run's start), and how often to look. */
export interface FollowLimits extends BuildTimeLimits {
  pollMs: number;
  /** Aborted (its reason a message) to stop the build for good: see BuildRequest.cancel. */
  cancel?: AbortSignal;
}

/** How a run ended: its exit code, what it said last, where its log ends. */
export interface RunOutcome {
  exitCode: number;
  failureLine?: string;
  lastLine: string;
  /** Byte length of the log: positions after it are free for events that follow the run. */
  endOffset: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes a run's output from its first byte until its exit code appears, each line at
 * its end's byte offset in the run's epoch: lines the build's followers already have are
 * repeats, which the event bus drops, so a runner re-attaching (or a second runner on the
 * same run) shows nothing twice. Lines are cut by the LineSplitter. Stops the run at its
 * time limits (build-time-limits.ts); a run whose process is gone without an exit code
 * (killed with its wrapper, the machine restarted) fails.
 */
export async function followRun(
  run: BuildRun,
  pid: number,
  image: string,
  emit: EmitEvent,
  signal: AbortSignal,
  o: FollowLimits & { log: Logger },
): Promise<RunOutcome> {
  let offset = 0;
  let lastOutputAt = Date.now();
  const lines = new LineSplitter();
  let failureLine: string | undefined;
  let lastLine = '';
  const onInternals = (fields: Record<string, unknown>) =>
    o.log.warn({ repo2docker: fields }, 'repo2docker reported an error');
  const publish = async (line: string, position: number) => {
    const event = parseLogLine(line, onInternals);
    if (!event) return;
    if (isFailureLine(event)) failureLine = event.message?.trim() || failureLine;
    lastLine = event.message ?? lastLine;
    await emit(event, position, run.meta.epochMs);
  };
  for (;;) {
    const exitCode = await run.readExitCode();
    const chunk = await readFrom(run.log, offset);
    if (chunk.data.length > 0) {
      lastOutputAt = Date.now();
      for (const line of lines.push(chunk.data)) await publish(line.text, line.end);
      offset = chunk.offset;
    }
    if (exitCode !== undefined) {
      const last = lines.end();
      if (last) await publish(last.text, last.end);
      return { exitCode, failureLine: failureLine?.trim(), lastLine, endOffset: offset };
    }
    if (o.cancel?.aborted) {
      await stopGroup(pid, image);
      throw new BuildFailedError(String(o.cancel.reason), 'cancelled');
    }
    if (signal.aborted) {
      killGroup(pid);
      throw new BuildFailedError('The build was cancelled', 'cancelled');
    }
    if (!(await processAlive(pid, image)) && (await run.readExitCode()) === undefined) {
      throw new BuildFailedError(
        'The build process ended without reporting how (it was killed, or the machine restarted). Reload the page to try again.',
      );
    }
    const passed = passedTimeLimit(o, {
      now: Date.now(),
      lastOutputAt,
      startedAt: run.meta.epochMs,
    });
    if (passed) {
      killGroup(pid);
      throw passed;
    }
    await sleep(o.pollMs);
  }
}
