import type { BuildEvent, BuildJob } from '../queue/index.js';
import type { GitAccess } from '../queue/url-policy/git-access.js';

/** Everything a backend needs to run repo2docker for one job (checked and recomputed by the runner). */
export interface BuildRequest {
  job: BuildJob;
  /**
   * How git may reach the repository: the URL to clone and the settings (pinned address,
   * no redirects, submodules from that host only, credentials for that host only) that
   * every backend hands to repo2docker's git as environment (`gitEnv`).
   */
  git: GitAccess;
  /** `--push` to the registry (false when `BinderHub.use_registry` is off). */
  push: boolean;
  appendix: string;
  extraArgs: readonly string[];
}

/**
 * Publishes one event. `position` (optional, increasing within a build, e.g. the byte
 * offset of the log line) makes re-publishing after a re-attach a no-op. `epochMs` says
 * which run of the build the position belongs to (default: the job's `requestedAt`): a
 * runner re-attaching to an earlier run of the same image, for a job queued again, passes
 * that run's epoch, so the lines its followers already have keep their ids. While Redis
 * is unreachable, the returned promise waits (the write is retried): it rejects only
 * for a lasting fault.
 */
export type EmitEvent = (event: BuildEvent, position?: number, epochMs?: number) => Promise<void>;

/**
 * Runs repo2docker somewhere (a build pod, the local Docker engine) and reports its log.
 * `run` resolves when the image is built (and pushed), or rejects with a BuildFailedError.
 * When a build of the same name is already running (a runner restarted mid-build), the
 * backend attaches to it instead of starting a second one.
 */
export interface BuildBackend {
  readonly name: string;
  run(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void>;
  /** `builder_info` for `/versions`. */
  builderInfo(): Promise<Record<string, string>>;
  close(): Promise<void>;
}
