import type { Logger } from '../../queue/index.js';
import type { EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { isFailureLine, parseLogLine } from '../log-line.js';
import type { BuildRun } from './build-run.js';
import { readFrom } from './log-tail.js';
import { killGroup, processAlive, stopGroup } from './process-alive.js';

export interface FollowLimits {
  /** Seconds without output before a build is failed (0 = off). */
  idleTimeout: number;
  /** Seconds a build may run, counted from its start (0 = off). */
  maxAge: number;
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

/** Stops the run for `reason` if a limit is passed; throws the matching BuildFailedError. */
function enforceLimits(pid: number, run: BuildRun, lastOutput: number, o: FollowLimits): void {
  const now = Date.now();
  if (o.idleTimeout > 0 && now - lastOutput > o.idleTimeout * 1000) {
    killGroup(pid);
    throw new BuildFailedError(
      `The build printed nothing for ${o.idleTimeout} seconds and was stopped (BuildExecutor.idle_timeout)`,
      'idle',
    );
  }
  if (o.maxAge > 0 && now - run.meta.epochMs > o.maxAge * 1000) {
    killGroup(pid);
    throw new BuildFailedError(
      `The build ran longer than ${o.maxAge} seconds and was stopped (BuildExecutor.max_age)`,
      'max_age',
    );
  }
}

/**
 * Publishes a run's output from its first byte until its exit code appears, each line at
 * its end's byte offset in the run's epoch: lines the build's followers already have are
 * repeats, which the event bus drops, so a runner re-attaching (or a second runner on the
 * same run) shows nothing twice. Enforces the idle and age limits; a run whose process
 * is gone without an exit code (killed with its wrapper, the machine restarted) fails.
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
  let lastOutput = Date.now();
  /** Bytes after the last newline read (a line still being written). */
  let rest = Buffer.alloc(0);
  let failureLine: string | undefined;
  let lastLine = '';
  const onInternals = (fields: Record<string, unknown>) =>
    o.log.warn({ repo2docker: fields }, 'repo2docker reported an error');
  const publish = async (line: Buffer, position: number) => {
    const event = parseLogLine(line.toString('utf8'), onInternals);
    if (!event) return;
    if (isFailureLine(event)) failureLine = event.message?.trim() || failureLine;
    lastLine = event.message ?? lastLine;
    await emit(event, position, run.meta.epochMs);
  };
  for (;;) {
    const exitCode = await run.readExitCode();
    const chunk = await readFrom(run.log, offset);
    if (chunk.data.length > 0) {
      lastOutput = Date.now();
      // Lines are cut on bytes, so a character split between reads stays whole.
      const data = Buffer.concat([rest, chunk.data]);
      const start = offset - rest.length;
      let from = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, from)) {
        await publish(data.subarray(from, nl), start + nl + 1);
        from = nl + 1;
      }
      rest = Buffer.from(data.subarray(from));
      offset = chunk.offset;
    }
    if (exitCode !== undefined) {
      if (rest.toString('utf8').trim()) await publish(rest, offset);
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
    enforceLimits(pid, run, lastOutput, o);
    await sleep(o.pollMs);
  }
}
