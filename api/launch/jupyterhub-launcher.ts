import { randomUUID } from 'node:crypto';
import type { Logger } from '../../queue/index.js';
import { HubClient } from './hub-client.js';
import { retryLaunch } from './retry-launch.js';
import type { LaunchUsers } from './launch-users.js';
import {
  LaunchError,
  type LaunchHooks,
  type LaunchProgress,
  type LaunchRequest,
  type LaunchResult,
  type Launcher,
} from './launcher.js';
import { sseJsonFrames } from './sse-frames.js';
import { uniqueNameFromRepo } from './unique-name.js';
import type { UserCleanup } from './user-cleanup.js';

export interface JupyterHubLauncherOptions {
  hub: HubClient;
  /** Public hub URL (`BinderHub.hub_url`, trailing slash): the `url` users are sent to. */
  hubUrl: string;
  /** Whole-launch attempts (`Launcher.retries`) and the base delay between them. */
  retries: number;
  retryDelayMs: number;
  launchTimeoutMs: number;
  log: Logger;
  /** Removes the users of failed and abandoned launches. */
  cleanup: UserCleanup;
  /** Where users are recorded until their client has them (for the sweeper). */
  users?: LaunchUsers;
}

/** A token for the notebook server: 16 random bytes, base64url without padding. */
function newServerToken(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/**
 * Launches through JupyterHub's REST API as upstream does: create a temporary user,
 * start its server with `user_options` {image, token, repo_url, binder_*}, relay the
 * spawn progress; retried as a whole with backoff and jitter, bounded by a timeout.
 */
export class JupyterHubLauncher implements Launcher {
  private readonly cleanup: UserCleanup;

  constructor(private readonly o: JupyterHubLauncherOptions) {
    this.cleanup = o.cleanup;
  }

  async launch(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks: LaunchHooks = {},
  ): Promise<LaunchResult> {
    const retry = { ...this.o, logFields: { image: req.image }, image: req.image };
    return retryLaunch(retry, onProgress, signal, () =>
      this.attempt(req, onProgress, signal, hooks),
    );
  }

  /**
   * One launch: a new temporary user, its server, the spawn's progress. Whatever step it
   * reached, an attempt that fails or whose client leaves (even while the user was being
   * created) has its user removed; the user is the client's only once it is `ready`.
   */
  private async attempt(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks: LaunchHooks,
  ): Promise<Omit<LaunchResult, 'attempt'>> {
    const username = uniqueNameFromRepo(req.repoUrl);
    const user = encodeURIComponent(username);
    await this.o.users?.touch(username);
    await hooks.beforeCreate?.(username);
    const options = {
      image: req.image,
      repo_url: req.repoUrl,
      token: newServerToken(),
      binder_ref_url: req.refUrl,
      binder_launch_host: req.launchHost,
      binder_request: req.binderRequest,
      binder_persistent_request: req.binderPersistentRequest,
      binder_client_ip: req.clientIp,
    };
    const timeout = AbortSignal.timeout(this.o.launchTimeoutMs);
    try {
      // Creating the user and requesting its server are not cut short when the client
      // leaves: the hub would finish them anyway, after the cleanup looked. Once either
      // returned, a client that left has its user removed.
      await this.o.hub.request('POST', `users/${user}`, undefined, timeout).catch((err: Error) => {
        if (signal.aborted) throw err;
        throw new LaunchError(`Failed to create temporary user for ${req.image}`);
      });
      if (signal.aborted) throw signal.reason;
      await this.o.users?.touch(username);
      await this.o.hub.request('POST', `users/${user}/servers/`, options, timeout);
      const bounded = AbortSignal.any([signal, timeout]);
      await this.waitReady(user, onProgress, bounded);
      // The server became ready as the client left: nobody will use it.
      if (signal.aborted) throw signal.reason;
    } catch (err) {
      this.cleanup.discard(username);
      if (signal.aborted || err instanceof LaunchError) throw err;
      if (timeout.aborted)
        throw new LaunchError(`Image ${req.image} for user ${username} took too long to launch`);
      throw new LaunchError(`Failed to launch image ${req.image}: ${(err as Error).message}`);
    }
    await this.o.users?.release(username);
    return {
      url: `${this.o.hubUrl}user/${encodeURIComponent(username).replace(/%40/g, '@')}/`,
      ...options,
    };
  }

  private async waitReady(
    user: string,
    onProgress: LaunchProgress,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.o.hub.stream(`users/${user}/server/progress`, signal);
    for await (const event of sseJsonFrames(res.body!)) {
      if (typeof event.message === 'string' && event.message) onProgress(event.message);
      if (event.failed === true)
        throw new LaunchError(`Failed to launch: ${String(event.message ?? 'spawn failed')}`);
      if (event.ready === true) return;
    }
    throw new LaunchError('The hub closed the progress stream before the server was ready');
  }
}
