import { randomUUID } from 'node:crypto';
import type { Logger } from '../../queue/index.js';
import { backoffMs, HubClient, HubRequestError, sleep } from './hub-client.js';
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

export interface JupyterHubLauncherOptions {
  hub: HubClient;
  /** Public hub URL (`BinderHub.hub_url`, trailing slash): the `url` users are sent to. */
  hubUrl: string;
  /** Whole-launch attempts (`Launcher.retries`) and the base delay between them. */
  retries: number;
  retryDelayMs: number;
  launchTimeoutMs: number;
  log: Logger;
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
  constructor(private readonly o: JupyterHubLauncherOptions) {}

  async launch(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks: LaunchHooks = {},
  ): Promise<LaunchResult> {
    let last: Error | undefined;
    for (let attempt = 0; attempt < this.o.retries; attempt++) {
      if (attempt > 0) {
        onProgress(`Launch attempt ${attempt} failed, retrying...`);
        await sleep(backoffMs(this.o.retryDelayMs, attempt - 1), signal);
      }
      try {
        return { ...(await this.attempt(req, onProgress, signal, hooks)), attempt };
      } catch (err) {
        if (signal.aborted) throw err;
        last = err as Error;
        this.o.log.warn({ err: last.message, attempt, image: req.image }, 'launch attempt failed');
        if (err instanceof LaunchError && err.status < 500) throw err;
      }
    }
    throw last instanceof LaunchError
      ? last
      : new LaunchError(`Failed to launch image ${req.image}`);
  }

  private async attempt(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks: LaunchHooks,
  ): Promise<Omit<LaunchResult, 'attempt'>> {
    const username = uniqueNameFromRepo(req.repoUrl);
    const user = encodeURIComponent(username);
    await hooks.beforeCreate?.(username);
    try {
      await this.o.hub.request('POST', `users/${user}`, undefined, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new LaunchError(`Failed to create temporary user for ${req.image}`);
    }
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
    const bounded = AbortSignal.any([signal, timeout]);
    try {
      await this.o.hub.request('POST', `users/${user}/servers/`, options, bounded);
      await this.waitReady(user, onProgress, bounded);
    } catch (err) {
      this.discard(user);
      if (signal.aborted) throw err;
      if (timeout.aborted)
        throw new LaunchError(`Image ${req.image} for user ${username} took too long to launch`);
      if (err instanceof LaunchError) throw err;
      throw new LaunchError(`Failed to launch image ${req.image}: ${(err as Error).message}`);
    }
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

  /** Best effort: remove a temporary user whose launch failed, so nothing leaks. */
  private discard(user: string): void {
    this.removeUser(user).catch((err: Error) =>
      this.o.log.warn({ err: err.message, user }, 'could not remove temporary user'),
    );
  }

  /** The hub refuses to delete a user whose server is still spawning: stop it, then retry. */
  private async removeUser(user: string): Promise<void> {
    const signal = AbortSignal.timeout(120_000);
    for (;;) {
      try {
        await this.o.hub.request('DELETE', `users/${user}`, undefined, signal);
        return;
      } catch (err) {
        if (err instanceof HubRequestError && err.status === 404) return;
        if (signal.aborted) throw err;
      }
      await this.o.hub
        .request('DELETE', `users/${user}/server`, undefined, signal)
        .catch(() => undefined);
      await sleep(1000, signal);
    }
  }
}
