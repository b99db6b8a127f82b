import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import type { Logger } from '../../queue/index.js';
import { TokenRefusedError, type SiteOAuthClient } from './site-oauth-client.js';
import type { StoredToken } from './stored-token.js';
import type { TokenStore } from './token-store.js';

/** The user's connection to a site is gone (the site refused the refresh): connect again. */
export class ReconnectError extends Error {
  override readonly name = 'ReconnectError';
}

export interface UserTokensOptions {
  store: TokenStore;
  clients: ReadonlyMap<CredentialProvider, SiteOAuthClient>;
  /** Refresh a token this long before it expires. */
  refreshMarginMs: number;
  log: Logger;
  now?: () => number;
  /** How long to wait for another process's refresh of the same token. */
  waitMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A user's usable token for a site: the stored one, refreshed first when it expires
 * within the margin (one refresh at a time across api replicas). A refresh the site
 * refuses (revoked, expired refresh token) removes the token and throws ReconnectError;
 * a site that cannot be reached leaves it, and a still-valid token is used meanwhile.
 */
export class UserTokens {
  private readonly now: () => number;

  constructor(private readonly o: UserTokensOptions) {
    this.now = o.now ?? Date.now;
  }

  async tokenFor(user: string, provider: CredentialProvider): Promise<StoredToken | undefined> {
    const client = this.o.clients.get(provider);
    if (!client) return undefined;
    const deadline = this.now() + (this.o.waitMs ?? 10_000);
    for (;;) {
      const token = await this.o.store.get(user, provider);
      if (!token || !this.expiring(token)) return token;
      if (await this.o.store.lockRefresh(user, provider, 30_000)) {
        try {
          return await this.refresh(user, token, client);
        } finally {
          await this.o.store.unlockRefresh(user, provider);
        }
      }
      if (this.now() > deadline) return this.usable(token, client);
      await sleep(200);
    }
  }

  private expiring(t: StoredToken): boolean {
    return t.expiresAt !== undefined && t.expiresAt - this.o.refreshMarginMs <= this.now();
  }

  private usable(t: StoredToken, client: SiteOAuthClient): StoredToken {
    if (t.expiresAt === undefined || t.expiresAt > this.now()) return t;
    throw new ReconnectError(
      `Your ${client.site.name} token expired and could not be refreshed yet: try again in a moment`,
    );
  }

  private async refresh(
    user: string,
    token: StoredToken,
    client: SiteOAuthClient,
  ): Promise<StoredToken> {
    const { provider } = client.site;
    // Another replica may have refreshed it while this one waited for the lock.
    const latest = (await this.o.store.get(user, provider)) ?? token;
    if (!this.expiring(latest)) return latest;
    try {
      const next = await client.refresh(latest);
      await this.o.store.put(user, provider, next);
      this.o.log.info({ user, provider }, 'user token refreshed');
      return next;
    } catch (err) {
      if (!(err instanceof TokenRefusedError)) {
        this.o.log.warn({ user, provider, err: (err as Error).message }, 'token refresh failed');
        return this.usable(latest, client);
      }
      await this.o.store.delete(user, provider);
      this.o.log.info({ user, provider, code: err.code }, 'token refresh refused: token removed');
      throw new ReconnectError(
        `${client.site.name} no longer accepts the connection of your account (${err.code}): connect your ${client.site.name} account again`,
      );
    }
  }
}
