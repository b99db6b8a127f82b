import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { HubOAuthConfig } from '../../queue/config/sections/hub-oauth.js';
import type { Logger } from '../../queue/index.js';
import { TtlCache } from '../providers/ttl-cache.js';
import { cookieOf } from './cookies.js';
import { HubUnreachableError, type HubOAuthClient } from './hub-oauth-client.js';
import type { SessionStore } from './session-store.js';

/** A token in `Authorization: token …` / `Bearer …` (JupyterHub's API clients). */
function headerToken(req: Request): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

export interface HubAuthOptions {
  settings: HubOAuthConfig;
  store: SessionStore;
  /** Asks the hub whose token it is. */
  client: Pick<HubOAuthClient, 'identify'>;
  log: Logger;
  now?: () => number;
}

/**
 * Who is asking, with `BinderHub.auth_enabled`: the hub user of the session cookie (its
 * hub token checked again every `HubOAuth.cache_max_age`, so a logout or a revoked token
 * at the hub ends it), or of a hub API token sent as upstream's JS client does.
 */
export class HubAuth {
  private readonly tokens: TtlCache<string | null>;
  private readonly now: () => number;

  constructor(private readonly o: HubAuthOptions) {
    this.now = o.now ?? Date.now;
    this.tokens = new TtlCache(1000, o.settings.cache_max_age * 1000, this.now);
  }

  get settings(): HubOAuthConfig {
    return this.o.settings;
  }

  /** The hub user's name, or null when the request is not logged in. */
  async userFor(req: Request): Promise<string | null> {
    const token = headerToken(req);
    if (token) return this.userOfToken(token);
    const id = cookieOf(req, this.o.settings.cookie_name);
    const session = await this.o.store.get(id);
    if (!id || !session) return null;
    if (this.now() - session.checkedAt < this.o.settings.cache_max_age * 1000) return session.user;
    try {
      const who = await this.o.client.identify(session.hubToken);
      if (!who || who.name !== session.user) {
        await this.o.store.delete(id);
        return null;
      }
      await this.o.store.checked(id, { ...session, checkedAt: this.now() });
    } catch (err) {
      if (!(err instanceof HubUnreachableError)) throw err;
      // The hub is down: the session stands until it answers again.
      this.o.log.warn({ err: err.message }, 'session not re-checked: hub unreachable');
    }
    return session.user;
  }

  private async userOfToken(token: string): Promise<string | null> {
    // Keyed by a digest: the cache holds no usable token.
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.tokens.get(key);
    if (cached !== undefined) return cached;
    try {
      const who = await this.o.client.identify(token);
      this.tokens.set(key, who?.name ?? null);
      return who?.name ?? null;
    } catch (err) {
      if (!(err instanceof HubUnreachableError)) throw err;
      this.o.log.warn({ err: err.message }, 'API token not checked: hub unreachable');
      return null;
    }
  }
}
