import { randomBytes } from 'node:crypto';
import type { Logger } from '../../queue/index.js';
import { backoffMs, HubClient, HubRequestError, sleep } from './hub-client.js';
import { retryLaunch } from './retry-launch.js';
import {
  LaunchError,
  type LaunchProgress,
  type LaunchRequest,
  type LaunchResult,
  type Launcher,
} from './launcher.js';
import { sseJsonFrames } from './sse-frames.js';
import { uniqueNameFromRepo } from './unique-name.js';

export interface UserServerLauncherOptions {
  hub: HubClient;
  /** Public hub URL (`BinderHub.hub_url`, trailing slash). */
  hubUrl: string;
  /** `Launcher.allow_named_servers`: each launch starts a new named server. */
  allowNamedServers: boolean;
  /** `Launcher.named_server_limit_per_user` (0 = none). */
  namedServerLimit: number;
  retries: number;
  retryDelayMs: number;
  launchTimeoutMs: number;
  log: Logger;
}

interface UserModel {
  servers?: Record<string, unknown>;
}

/** Upstream's quoting of user names in server URLs (`quote(name, safe="@~")`). */
const quoteUser = (name: string) => encodeURIComponent(name).replace(/%40/g, '@');

/**
 * `BinderHub.auth_enabled` launches (upstream's `create_user=False`): the logged-in hub
 * user's own server — a new named server per launch with `allow_named_servers`, else the
 * default one — refused with upstream's 409 messages when the user already runs it or
 * has `named_server_limit_per_user` named servers. No user is created or deleted: a
 * launch that fails or is abandoned stops (and removes) only the server it started.
 */
export class UserServerLauncher implements Launcher {
  constructor(private readonly o: UserServerLauncherOptions) {}

  async launch(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
  ): Promise<LaunchResult> {
    const user = req.user;
    if (!user) throw new LaunchError('Forbidden', 403);
    const retry = { ...this.o, logFields: { user }, image: req.image };
    return retryLaunch(retry, onProgress, signal, () =>
      this.attempt(req, user, onProgress, signal),
    );
  }

  /** Upstream's checks before a start: the default server once; named ones up to the limit. */
  private async checkRoom(user: string, serverName: string, signal: AbortSignal): Promise<void> {
    if (serverName && this.o.namedServerLimit <= 0) return;
    const res = await this.o.hub.request(
      'GET',
      `users/${encodeURIComponent(user)}`,
      undefined,
      signal,
    );
    const servers = Object.keys(((await res.json()) as UserModel).servers ?? {});
    if (!serverName && servers.includes('')) {
      throw new LaunchError(`User ${user} already has a running server.`, 409);
    }
    const named = servers.filter((s) => s !== '').length;
    if (serverName && named >= this.o.namedServerLimit) {
      throw new LaunchError(
        `User ${user} already has the maximum of ${this.o.namedServerLimit} named servers.  One must be deleted before a new server can be created`,
        409,
      );
    }
  }

  private async attempt(
    req: LaunchRequest,
    user: string,
    onProgress: LaunchProgress,
    signal: AbortSignal,
  ): Promise<Omit<LaunchResult, 'attempt'>> {
    const serverName = this.o.allowNamedServers ? uniqueNameFromRepo(req.repoUrl) : '';
    await this.checkRoom(user, serverName, signal);
    const options = {
      image: req.image,
      repo_url: req.repoUrl,
      token: randomBytes(16).toString('base64url'),
      binder_ref_url: req.refUrl,
      binder_launch_host: req.launchHost,
      binder_request: req.binderRequest,
      binder_persistent_request: req.binderPersistentRequest,
      binder_client_ip: req.clientIp,
    };
    const server = `users/${encodeURIComponent(user)}/servers/${encodeURIComponent(serverName)}`;
    const timeout = AbortSignal.timeout(this.o.launchTimeoutMs);
    let started = false;
    try {
      await this.o.hub.request('POST', server, options, timeout).catch((err: unknown) => {
        // Another launch took the name or the hub's own limit was reached first.
        if (
          err instanceof HubRequestError &&
          err.status === 400 &&
          /limit|already/i.test(err.message)
        )
          throw new LaunchError(
            err.message.replace(/^JupyterHub answered \d+ to [^:]+: /, ''),
            409,
          );
        throw err;
      });
      started = true;
      const progress = serverName
        ? `${server}/progress`
        : `users/${encodeURIComponent(user)}/server/progress`;
      await this.waitReady(progress, onProgress, AbortSignal.any([signal, timeout]));
      if (signal.aborted) throw signal.reason;
    } catch (err) {
      if (started) this.stop(user, serverName);
      if (signal.aborted || err instanceof LaunchError) throw err;
      if (timeout.aborted)
        throw new LaunchError(`Image ${req.image} for user ${user} took too long to launch`);
      throw new LaunchError(`Failed to launch image ${req.image}: ${(err as Error).message}`);
    }
    const path = serverName
      ? `${quoteUser(user)}/${encodeURIComponent(serverName)}/`
      : `${quoteUser(user)}/`;
    return { url: `${this.o.hubUrl}user/${path}`, ...options };
  }

  private async waitReady(path: string, onProgress: LaunchProgress, signal: AbortSignal) {
    const res = await this.o.hub.stream(path, signal);
    for await (const event of sseJsonFrames(res.body!)) {
      if (typeof event.message === 'string' && event.message) onProgress(event.message);
      if (event.failed === true)
        throw new LaunchError(`Failed to launch: ${String(event.message ?? 'spawn failed')}`);
      if (event.ready === true) return;
    }
    throw new LaunchError('The hub closed the progress stream before the server was ready');
  }

  /** Stops (and, if named, removes) a server nobody will use; retried while the hub refuses. */
  private stop(user: string, serverName: string): void {
    const path = serverName
      ? `users/${encodeURIComponent(user)}/servers/${encodeURIComponent(serverName)}`
      : `users/${encodeURIComponent(user)}/server`;
    const body = serverName ? { remove: true } : undefined;
    void (async () => {
      const signal = AbortSignal.timeout(this.o.launchTimeoutMs);
      for (let i = 0; !signal.aborted; i++) {
        try {
          await this.o.hub.request('DELETE', path, body, signal);
          return;
        } catch (err) {
          if (err instanceof HubRequestError && err.status === 404) return;
          await sleep(backoffMs(1000, Math.min(i, 4)), signal).catch(() => undefined);
        }
      }
      this.o.log.warn({ user, server: serverName }, 'abandoned server not stopped');
    })();
  }
}
