import type { Request, RequestHandler, Response } from 'express';
import {
  AuthorizationResponseError,
  ClientError,
  randomState,
  ResponseBodyError,
} from 'openid-client';
import type { Logger } from '../../queue/index.js';
import { sendJsonError } from '../http/json-error.js';
import { cookieOf, setCookie } from './cookies.js';
import { HubUnreachableError, type HubOAuthClient } from './hub-oauth-client.js';
import type { HubAuth } from './hub-auth.js';
import type { SessionStore } from './session-store.js';

/** Seconds a login may take at the hub (the state cookie's life). */
const LOGIN_SECONDS = 600;

export interface LoginFlowOptions {
  auth: HubAuth;
  store: SessionStore;
  client: HubOAuthClient;
  /** `BinderHub.base_url` (cookie path; where `next` must point). */
  baseUrl: string;
  /** `BinderHub.hub_url`: its logout page ends the hub's login too. */
  hubUrl: string;
  log: Logger;
}

/** A path of this Binder to return to after login (never another site: `//host`, `/\host`). */
export function safeNext(next: string | undefined, baseUrl: string): string {
  if (!next || !next.startsWith(baseUrl) || /^\/[/\\]/.test(next)) return baseUrl;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return /[\s\u0000-\u001f]/.test(next) ? baseUrl : next;
}

/** The callback URL registered with the hub: configured, else this request's origin + base_url. */
export function redirectUriFor(req: Request, configured: string, baseUrl: string): string {
  return (
    configured || `${req.protocol}://${req.get('host') ?? 'localhost'}${baseUrl}oauth_callback`
  );
}

/** The path the callback is served on (upstream: the path of the redirect URI). */
export function callbackPath(configured: string, baseUrl: string): string {
  return configured ? new URL(configured).pathname : `${baseUrl}oauth_callback`;
}

/**
 * The login round trip with the hub: `start` sends the browser to the hub's authorize
 * page with a fresh `state` (kept server-side under a cookie of its own), `callback`
 * has `openid-client` check the state and exchange the code, then opens a session;
 * `logout` ends it here and at the hub.
 */
export class LoginFlow {
  private readonly stateCookie: string;

  constructor(private readonly o: LoginFlowOptions) {
    this.stateCookie = `${o.auth.settings.cookie_name}-oauth-state`;
  }

  private cookie(req: Request, res: Response, name: string, value: string, maxAge: number) {
    const { cookie_secure } = this.o.auth.settings;
    setCookie(req, res, name, value, { secure: cookie_secure, path: this.o.baseUrl, maxAge });
  }

  private redirectUri(req: Request): string {
    return redirectUriFor(req, this.o.auth.settings.oauth_redirect_uri, this.o.baseUrl);
  }

  /** Redirects to the hub's login (authorize) page; afterwards the browser comes back to `next`. */
  async start(req: Request, res: Response, next: string): Promise<void> {
    const state = randomState();
    const id = await this.o.store.beginLogin(
      { state, next: safeNext(next, this.o.baseUrl) },
      LOGIN_SECONDS,
    );
    this.cookie(req, res, this.stateCookie, id, LOGIN_SECONDS);
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, this.o.client.authorizeUrl(this.redirectUri(req), state));
  }

  callback(): RequestHandler {
    return async (req, res) => {
      const pending = await this.o.store.takeLogin(cookieOf(req, this.stateCookie));
      this.cookie(req, res, this.stateCookie, '', 0);
      res.setHeader('cache-control', 'no-store');
      if (!pending) {
        return sendJsonError(
          res,
          400,
          'This login was not started here or took longer than 10 minutes: open the page again to log in.',
        );
      }
      let token: string;
      try {
        const url = new URL(req.originalUrl, this.redirectUri(req));
        token = await this.o.client.exchange(url, this.redirectUri(req), pending.state);
      } catch (err) {
        // the hub's refusal, or openid-client's own checks (a `state` that is not this login's)
        const known =
          err instanceof AuthorizationResponseError ||
          err instanceof ResponseBodyError ||
          err instanceof ClientError;
        this.o.log.info({ err: (err as Error).message }, 'hub login refused');
        const e = err as Error & { cause?: unknown };
        const detail = e.cause instanceof Error ? `: ${e.cause.message}` : '';
        const why = known ? `${e.message}${detail}` : 'the hub did not complete the login';
        return sendJsonError(res, 403, `Login through JupyterHub failed: ${why}`);
      }
      const who = await this.o.client.identify(token).catch((err: unknown) => {
        if (err instanceof HubUnreachableError) return null;
        throw err;
      });
      if (!who) return sendJsonError(res, 403, 'JupyterHub did not say who logged in');
      const id = await this.o.store.create({
        user: who.name,
        hubToken: token,
        checkedAt: Date.now(),
      });
      this.cookie(
        req,
        res,
        this.o.auth.settings.cookie_name,
        id,
        this.o.auth.settings.session_max_age,
      );
      this.o.log.info({ user: who.name }, 'logged in through the hub');
      res.redirect(302, pending.next);
    };
  }

  logout(): RequestHandler {
    return async (req, res) => {
      await this.o.store.delete(cookieOf(req, this.o.auth.settings.cookie_name));
      this.cookie(req, res, this.o.auth.settings.cookie_name, '', 0);
      res.setHeader('cache-control', 'no-store');
      res.redirect(302, `${this.o.hubUrl}hub/logout`);
    };
  }
}
