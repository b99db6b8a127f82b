import type { Request, Response } from 'express';
import {
  AuthorizationResponseError,
  ClientError,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import type { Logger } from '../../queue/index.js';
import { newId } from '../auth/session-store.js';
import { cookieOf, setCookie } from '../auth/cookies.js';
import { sendJsonError } from '../http/json-error.js';
import type { UserCredentials } from './create-user-credentials.js';
import { TokenRefusedError } from './site-oauth-client.js';

/** Seconds a connect may take at the site (the state cookie's life). */
const CONNECT_SECONDS = 600;

export interface ConnectFlowOptions {
  credentials: UserCredentials;
  baseUrl: string;
  /** `HubOAuth.cookie_name` (the state cookie is `<name>-connect`) and `cookie_secure`. */
  cookieName: string;
  cookieSecure: 'auto' | boolean;
  log: Logger;
}

/**
 * Connecting a hub user's GitHub/GitLab account: `start` sends the browser to the
 * site's authorize page with a fresh `state` and PKCE challenge (kept server-side,
 * sealed, under a cookie of its own, for this user), `callback` has `openid-client`
 * check the state and exchange the code with the verifier, then keeps the token.
 */
export class ConnectFlow {
  private readonly stateCookie: string;

  constructor(private readonly o: ConnectFlowOptions) {
    this.stateCookie = `${o.cookieName}-connect`;
  }

  /** The callback registered with the site's OAuth app: configured, else this request's. */
  redirectUri(req: Request, provider: CredentialProvider): string {
    const configured = this.o.credentials.sites.get(provider)?.app.redirect_uri;
    const host = req.get('host') ?? 'localhost';
    return (
      configured || `${req.protocol}://${host}${this.o.baseUrl}auth/connect/${provider}/callback`
    );
  }

  private cookie(req: Request, res: Response, value: string, maxAge: number): void {
    setCookie(req, res, this.stateCookie, value, {
      secure: this.o.cookieSecure,
      path: this.o.baseUrl,
      maxAge,
    });
  }

  async start(req: Request, res: Response, user: string, provider: CredentialProvider) {
    const client = this.o.credentials.clients.get(provider)!;
    const id = newId();
    const state = randomState();
    const verifier = randomPKCECodeVerifier();
    await this.o.credentials.store.beginConnect(
      id,
      { user, provider, state, verifier },
      CONNECT_SECONDS,
    );
    this.cookie(req, res, id, CONNECT_SECONDS);
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, await client.authorizeUrl(this.redirectUri(req, provider), state, verifier));
  }

  async callback(req: Request, res: Response, user: string, provider: CredentialProvider) {
    const { credentials, log } = this.o;
    const id = cookieOf(req, this.stateCookie);
    const pending =
      id && /^[A-Za-z0-9_-]{43}$/.test(id) ? await credentials.store.takeConnect(id) : undefined;
    this.cookie(req, res, '', 0);
    res.setHeader('cache-control', 'no-store');
    if (!pending || pending.user !== user || pending.provider !== provider) {
      return sendJsonError(
        res,
        400,
        'This connection was not started here, by you, or took longer than 10 minutes: start it again.',
      );
    }
    const client = credentials.clients.get(provider)!;
    const redirectUri = this.redirectUri(req, provider);
    try {
      const url = new URL(req.originalUrl, redirectUri);
      const token = await client.exchange(url, redirectUri, pending.state, pending.verifier);
      await credentials.store.put(user, provider, token);
      await credentials.checks.forget(user);
      log.info({ user, provider, login: token.login }, 'account connected');
    } catch (err) {
      // openid-client's own checks (a `state` that is not this connect's, a missing code)
      if (err instanceof ClientError && !(err instanceof AuthorizationResponseError)) {
        const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
        const why = `${err.message}${cause}`;
        return sendJsonError(res, 400, `Connecting ${client.site.name} failed: ${why}`);
      }
      if (err instanceof TokenRefusedError || err instanceof AuthorizationResponseError) {
        log.info({ user, provider, err: err.message }, 'account not connected');
        return sendJsonError(res, 403, `Connecting ${client.site.name} failed: ${err.message}`);
      }
      throw err;
    }
    res.redirect(302, `${this.o.baseUrl}auth/connections`);
  }

  /**
   * Revokes the token at the site (best effort: a site that cannot be reached is
   * reported) and forgets it here in every case. Returns whether the site revoked it.
   */
  async disconnect(
    user: string,
    provider: CredentialProvider,
  ): Promise<{ revoked: boolean; message?: string }> {
    const { credentials, log } = this.o;
    const token = await credentials.store.get(user, provider);
    await credentials.store.delete(user, provider);
    await credentials.checks.forget(user);
    if (!token) return { revoked: false, message: 'not connected' };
    try {
      await credentials.clients.get(provider)!.revoke(token);
      log.info({ user, provider }, 'account disconnected, token revoked');
      return { revoked: true };
    } catch (err) {
      log.warn({ user, provider, err: (err as Error).message }, 'token not revoked at the site');
      return {
        revoked: false,
        message: `removed here; the site did not revoke it: ${(err as Error).message}`,
      };
    }
  }
}
