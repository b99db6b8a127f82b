import type { Logger } from '../../queue/index.js';
import { backoffMs, HubRequestError, sleep, type HubClient } from './hub-client.js';
import type { LaunchUsers } from './launch-users.js';

/** How a cleanup ended (the label of `binderhub_ts_launch_user_cleanups_total`). */
export type CleanupOutcome = 'removed' | 'deferred' | 'swept';

export interface UserCleanupOptions {
  hub: HubClient;
  log: Logger;
  /** Record of users awaiting removal (none: cleanups are not remembered across processes). */
  users?: LaunchUsers;
  /** How long one cleanup keeps trying before it leaves the user to the sweeper (ms). */
  giveUpAfterMs: number;
  onOutcome?: (outcome: CleanupOutcome) => void;
}

interface UserModel {
  servers?: Record<string, { pending?: string | null; ready?: boolean }>;
  pending?: string | null;
}

/**
 * Removes the temporary hub users of launches nobody will use. The hub refuses to stop
 * a server that is stopping, and deleting a user whose server is still starting can
 * leave its container behind, so the server is stopped first (interrupting a pending
 * start), then the user is deleted once no server is left; every refusal and hub error
 * is retried with backoff until the user is gone, or `giveUpAfterMs` passed — then the
 * user stays recorded for the sweeper.
 */
export class UserCleanup {
  constructor(private readonly o: UserCleanupOptions) {}

  /** Starts removing `user` in the background (a launch's client is gone or it failed). */
  discard(user: string): void {
    void this.o.users?.touch(user);
    this.remove(user, AbortSignal.timeout(this.o.giveUpAfterMs)).then(
      () => this.o.onOutcome?.('removed'),
      (err: Error) => {
        this.o.onOutcome?.('deferred');
        this.o.log.warn({ user, err: err.message }, 'temporary user left to the sweeper');
      },
    );
  }

  /** Removes `user` (and its server); resolves once the hub has no such user. */
  async remove(user: string, signal: AbortSignal): Promise<void> {
    const path = `users/${encodeURIComponent(user)}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if (await this.step(path, signal)) break;
      } catch (err) {
        if (signal.aborted) throw err;
        if (!(err instanceof HubRequestError)) throw err;
      }
      await sleep(Math.min(5000, backoffMs(500, attempt)), signal);
    }
    await this.o.users?.release(user);
  }

  /** One step towards removal; true when the user is gone. */
  private async step(path: string, signal: AbortSignal): Promise<boolean> {
    const model = await this.model(path, signal);
    if (!model) return true;
    const servers = Object.values(model.servers ?? {});
    if (servers.some((s) => s.pending === 'stop')) return false;
    if (servers.length > 0) {
      await this.o.hub.request('DELETE', `${path}/server`, undefined, signal);
      return false;
    }
    await this.o.hub.request('DELETE', path, undefined, signal);
    return true;
  }

  private async model(path: string, signal: AbortSignal): Promise<UserModel | undefined> {
    try {
      const res = await this.o.hub.request('GET', path, undefined, signal);
      return (await res.json()) as UserModel;
    } catch (err) {
      if (err instanceof HubRequestError && err.status === 404) return undefined;
      throw err;
    }
  }
}
