import type { BuildEvent, BuildJob } from '../queue/index.js';
import type { ContentAccess } from '../queue/repo-specs/content-access.js';

/** Everything a backend needs to run repo2docker for one job (checked and recomputed by the runner). */
export interface BuildRequest {
  job: BuildJob;
  /**
   * How repo2docker gets the repository: its argument (for git the checked clone URL) and
   * the environment every backend hands it — the job's one content provider and the
   * address guard (CONTENT_PROVIDER_ENV, read by the repo2docker configuration of
   * content-provider-config.ts), and for git the pinned settings and host-scoped
   * credentials (`gitEnv`).
   */
  content: ContentAccess;
  /** `--push` to the registry (false when `BinderHub.use_registry` is off). */
  push: boolean;
  appendix: string;
  extraArgs: readonly string[];
  /**
   * Aborted (its reason a message) to stop this build for good — repo2docker and its
   * container stopped, the build pod deleted, nothing pushed — unlike `run`'s signal,
   * which only stops following a build another runner may re-attach to.
   */
  cancel?: AbortSignal;
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
