import { setTimeout as sleep } from 'node:timers/promises';
import type { BuildEvent, Logger } from '../../queue/index.js';
import type { BuildBackend, BuildRequest, EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { parseLogLine } from '../log-line.js';

/** A script line: a repo2docker JSON log line as it is, any other text a `building` line. */
function scriptEvent(line: string): BuildEvent {
  if (line.trimStart().startsWith('{')) {
    const e = parseLogLine(line);
    if (e && e.phase !== 'unknown') return e;
  }
  return { phase: 'building', message: `${line}\n` };
}

/** A script for the fake backend (`FakeBuildExecutor.*`, in milliseconds here). */
export interface FakeBuildScript {
  logLines: readonly string[];
  lineIntervalMs: number;
  outcome: 'built' | 'failed';
  /** Builds whose repository URL or spec contains one of these fail. */
  failMatching: readonly string[];
  failureMessage: string;
  log: Logger;
}

/**
 * `Runner.backend: fake` — a build backend that runs no repo2docker and makes no image:
 * it plays its script (an event per log line, `pushing` when the job pushes, then success
 * or a BuildFailedError) with the same contract as the real backends (test/contracts/): lines
 * at increasing positions in one epoch per run, a second job on a running build
 * attaching to it instead of playing it twice, `cancel` ending it as `cancelled`, the
 * runner's `signal` only ending the following. For tests of what surrounds a build
 * (the `/build` protocol, dedup, resume, quotas, bans) on a machine without Docker.
 */
export class FakeBuildBackend implements BuildBackend {
  readonly name = 'fake';
  /** Runs in progress, by image: a second job on the same image follows the first. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly script: FakeBuildScript) {}

  run(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void> {
    const existing = this.running.get(req.job.image);
    if (existing) return existing;
    const run = this.play(req, emit, signal).finally(() => this.running.delete(req.job.image));
    this.running.set(req.job.image, run);
    return run;
  }

  private async play(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void> {
    const s = this.script;
    const epochMs = req.job.requestedAt;
    let position = 0;
    s.log.info({ build: req.job.buildName }, 'fake build started');
    for (const line of s.logLines) {
      if (req.cancel?.aborted) throw new BuildFailedError(String(req.cancel.reason), 'cancelled');
      if (signal.aborted) throw signal.reason;
      await emit(scriptEvent(line), ++position, epochMs);
      // A cancel ends the wait at once; the check above then ends the build.
      if (s.lineIntervalMs > 0)
        await sleep(s.lineIntervalMs, undefined, { signal: req.cancel }).catch(() => undefined);
    }
    if (req.cancel?.aborted) throw new BuildFailedError(String(req.cancel.reason), 'cancelled');
    const { repoUrl, spec } = req.job;
    const fails =
      s.outcome === 'failed' || s.failMatching.some((m) => repoUrl.includes(m) || spec.includes(m));
    if (fails) throw new BuildFailedError(s.failureMessage);
    if (req.push) {
      const message = `Pushing ${req.job.image} (fake: nothing is pushed)\n`;
      await emit({ phase: 'pushing', message }, position + 1, epochMs);
    }
  }

  async builderInfo(): Promise<Record<string, string>> {
    return { builder: 'fake' };
  }

  async close(): Promise<void> {
    this.running.clear();
  }
}
