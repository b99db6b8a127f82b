import * as oauth from 'openid-client';
import type { OAuthSite } from './oauth-site.js';
import { storedTokenOf, type StoredToken, type TokenAnswer } from './stored-token.js';

/** The site refused a token or grant (an OAuth error answer): the user must connect again. */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
  constructor(
    message: string,
    /** The OAuth error code (`bad_refresh_token`, `invalid_grant`, …). */
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * GitHub answers token-endpoint errors with HTTP 200 and `{"error": …}` (its documented
 * format): given the status RFC 6749 uses (400), `openid-client` reads them as errors.
 */
function gitHubTokenErrors(fetchImpl: typeof fetch, tokenUrl: string): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (String(input) !== tokenUrl || res.status !== 200) return res;
    const text = await res.text();
    let error = false;
    try {
      error = typeof (JSON.parse(text) as { error?: unknown }).error === 'string';
    } catch {
      // not JSON: openid-client reports it
    }
    return new Response(text, { status: error ? 400 : 200, headers: res.headers });
  };
}

/** An OAuth error answer as a TokenRefusedError; anything else unchanged. */
function refusal(err: unknown, site: OAuthSite): unknown {
  if (err instanceof oauth.ResponseBodyError || err instanceof oauth.AuthorizationResponseError) {
    const why = err.error_description ? `${err.error}: ${err.error_description}` : err.error;
    return new TokenRefusedError(`${site.name} refused the token (${why})`, err.error);
  }
  return err;
}

/**
 * One site's OAuth 2 authorization-code flow through `openid-client` (state and PKCE
 * checks, token and refresh requests, their error answers), GitLab's revocation
 * endpoint, GitHub's grant revocation and both sites' "who am I".
 */
export class SiteOAuthClient {
  private readonly config: oauth.Configuration;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly site: OAuthSite,
    fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {
    this.fetchImpl = fetchImpl;
    this.config = new oauth.Configuration(
      {
        issuer: new URL(site.authorizeUrl).origin,
        authorization_endpoint: site.authorizeUrl,
        token_endpoint: site.tokenUrl,
        ...(site.revocationUrl ? { revocation_endpoint: site.revocationUrl } : {}),
      },
      site.app.client_id,
      undefined,
      oauth.ClientSecretPost(site.app.client_secret),
    );
    // Plain http only for a site the operator configured so (a stand-in on loopback).
    if ([site.authorizeUrl, site.tokenUrl].some((u) => u.startsWith('http:')))
      oauth.allowInsecureRequests(this.config);
    const wrapped =
      site.provider === 'github' ? gitHubTokenErrors(fetchImpl, site.tokenUrl) : fetchImpl;
    this.config[oauth.customFetch] = (url, init) => wrapped(url, init as RequestInit);
  }

  /** The site's authorize page for this app, `state` and the PKCE challenge of `verifier`. */
  async authorizeUrl(redirectUri: string, state: string, verifier: string): Promise<string> {
    return oauth.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.site.app.scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).href;
  }

  /** The callback checked (`state`, no `error`) and its code exchanged (with the PKCE verifier). */
  async exchange(
    callbackUrl: URL,
    redirectUri: string,
    expectedState: string,
    pkceCodeVerifier: string,
  ): Promise<StoredToken> {
    try {
      const answer = await oauth.authorizationCodeGrant(
        this.config,
        callbackUrl,
        { expectedState, pkceCodeVerifier },
        { redirect_uri: redirectUri },
      );
      const now = this.now();
      const token = answer as unknown as TokenAnswer;
      return storedTokenOf(token, now, await this.login(token.access_token));
    } catch (err) {
      throw refusal(err, this.site);
    }
  }

  /** A new token from the refresh token (single use at GitHub: the answer carries the next one). */
  async refresh(current: StoredToken): Promise<StoredToken> {
    if (!current.refreshToken)
      throw new TokenRefusedError(`the ${this.site.name} token expired`, 'expired');
    try {
      const answer = await oauth.refreshTokenGrant(this.config, current.refreshToken);
      const next = storedTokenOf(answer as unknown as TokenAnswer, this.now(), current.login);
      return { ...next, connectedAt: current.connectedAt };
    } catch (err) {
      throw refusal(err, this.site);
    }
  }

  /** Revokes the token at the site (GitHub: the whole grant); throws when the site refuses. */
  async revoke(token: StoredToken): Promise<void> {
    if (this.site.revocationUrl) {
      await oauth.tokenRevocation(this.config, token.accessToken);
      return;
    }
    const { client_id: id, client_secret: secret } = this.site.app;
    const res = await this.fetchImpl(`${this.site.apiUrl}/applications/${id}/grant`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        accept: 'application/vnd.github+json',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ access_token: token.accessToken }),
      signal: AbortSignal.timeout(10_000),
    });
    // 404: the grant is gone already.
    if (res.status !== 204 && res.status !== 404)
      throw new Error(`${this.site.name} answered ${res.status} to the revocation`);
  }

  /** The account's name (GitHub `login`, GitLab `username`); undefined when not told. */
  private async login(accessToken: string): Promise<string | undefined> {
    const res = await this.fetchImpl(`${this.site.apiUrl}/user`, {
      headers: { authorization: `Bearer ${accessToken}`, 'user-agent': 'BinderHub' },
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (!res?.ok) return undefined;
    const body = (await res.json().catch(() => ({}))) as { login?: unknown; username?: unknown };
    const name = body.login ?? body.username;
    return typeof name === 'string' ? name : undefined;
  }
}
