/** What a launch asks the hub for (upstream's `user_options`, plus who asked). */
export interface LaunchRequest {
  image: string;
  repoUrl: string;
  refUrl: string;
  launchHost: string;
  /** `v2/<prefix>/<spec>` and `v2/<prefix>/<resolved spec>` (no leading `/`). */
  binderRequest: string;
  binderPersistentRequest: string;
  clientIp: string;
  /** `BinderHub.auth_enabled`: the hub user whose own server is started (no temporary user). */
  user?: string;
}

/** The `ready` event's payload (upstream's shape). */
export interface LaunchResult {
  url: string;
  token: string;
  image: string;
  repo_url: string;
  binder_ref_url: string;
  binder_launch_host: string;
  binder_request: string;
  binder_persistent_request: string;
  binder_client_ip: string;
  /** Attempt index that succeeded (0-based), for the launch-time metric. */
  attempt: number;
}

export type LaunchProgress = (message: string) => void;

/** Optional steps a caller adds to a launch (the warm pool records its servers' names). */
export interface LaunchHooks {
  /** Called with the hub user's name before that user is created, in each attempt. */
  beforeCreate?(username: string): Promise<void>;
}

/** Starts a notebook server for an image (JupyterHub REST API in production). */
export interface Launcher {
  launch(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks?: LaunchHooks,
  ): Promise<LaunchResult>;
}

/** The launch failed for good; `message` is shown to the user; `status` is the HTTP-ish code. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
  constructor(
    message: string,
    readonly status = 500,
  ) {
    super(message);
  }
}
