/** What is known about a build that ended without an image. */
export interface BuildFailureFacts {
  exitCode: number;
  /** The message of repo2docker's last `failed` line, if it printed one. */
  failureLine?: string;
  /** The last line it printed. */
  lastLine: string;
  /** The engine's connection dropped during the build (it stopped or restarted). */
  engineRestarted: boolean;
  /** The engine answers now. */
  engineReachable: boolean;
}

const RELOAD = 'Reload the page to try again.';

/** repo2docker's text for a build step killed by SIGKILL (the engine stopping, OOM, `docker kill`). */
const KILLED = /non-zero code: 137|exit code:? 137/i;

/**
 * The message people waiting for a failed build see: what happened, in their terms,
 * and that a reload tries again. Internals (tracebacks) never appear here.
 */
export function buildFailureMessage(f: BuildFailureFacts): string {
  if (f.engineRestarted)
    return `The Docker engine restarted during the build, which stopped it. ${RELOAD}`;
  if (!f.engineReachable)
    return `The Docker engine is not reachable (it may be restarting), so the build stopped. ${RELOAD}`;
  if (f.exitCode === 137 || KILLED.test(f.failureLine ?? ''))
    return `The build was killed (exit code 137): it ran out of memory, or its container was stopped. ${RELOAD}`;
  if (f.failureLine) return f.failureLine;
  const last = f.lastLine.trim();
  return `repo2docker exited with code ${f.exitCode}${last ? `: ${last}` : ''}`;
}
