import * as oauth from 'openid-client';

/** Who a hub token belongs to (the hub's `GET /hub/api/user` model, the parts used here). */
export interface HubIdentity {
  name: string;
}

/** The hub could not be asked (network error or 5xx): not an answer about the token. */
export class HubUnreachableError extends Error {
  override readonly name = 'HubUnreachableError';
}

export interface HubOAuthClientOptions {
  /** Public hub URL (`BinderHub.hub_url`): browsers are sent to its authorize page. */
  hubUrl: string;
  /** The hub API as this process reaches it (token exchange, `/user`). */
  hubApiUrl: string;
  clientId: string;
  /** The service's token: JupyterHub's client secret for services. */
  clientSecret: string;
  fetch?: typeof fetch;
}

/**
 * JupyterHub's OAuth 2 provider seen by a service: the authorization-code flow through
 * `openid-client` (state checks, the token request, its error answers), and the hub's
 * `/user` endpoint to learn whose token it is.
 */
export class HubOAuthClient {
  private readonly config: oauth.Configuration;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: HubOAuthClientOptions) {
    this.config = new oauth.Configuration(
      {
        issuer: o.hubUrl,
        authorization_endpoint: new URL('hub/api/oauth2/authorize', o.hubUrl).href,
        token_endpoint: new URL('oauth2/token', o.hubApiUrl).href,
      },
      o.clientId,
      undefined,
      oauth.ClientSecretPost(o.clientSecret),
    );
    // A hub on plain http (a single machine, a cluster-internal hub API) is the operator's choice.
    const insecure = [o.hubUrl, o.hubApiUrl].some((u) => u.startsWith('http:'));
    if (insecure) oauth.allowInsecureRequests(this.config);
    this.fetchImpl = o.fetch ?? fetch;
    const custom = o.fetch;
    if (custom) {
      this.config[oauth.customFetch] = (url, init) => custom(url, init as RequestInit);
    }
  }

  /** Where to send the browser: the hub's authorize page for this client and `state`. */
  authorizeUrl(redirectUri: string, state: string): string {
    return oauth.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      state,
    }).href;
  }

  /**
   * The callback's `code` exchanged for the hub's access token, after `openid-client`
   * checked that the callback carries `expectedState` (CSRF) and no `error`.
   */
  async exchange(callbackUrl: URL, redirectUri: string, expectedState: string): Promise<string> {
    const tokens = await oauth.authorizationCodeGrant(
      this.config,
      callbackUrl,
      { expectedState },
      { redirect_uri: redirectUri },
    );
    return tokens.access_token;
  }

  /** The hub user a token belongs to; null when the hub refuses it or it is not a user's. */
  async identify(token: string, signal?: AbortSignal): Promise<HubIdentity | null> {
    let res: Response;
    try {
      res = await this.fetchImpl(new URL('user', this.o.hubApiUrl), {
        headers: { authorization: `token ${token}` },
        signal: signal ?? AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new HubUnreachableError(`JupyterHub is not reachable: ${(err as Error).message}`);
    }
    if (res.status >= 500) throw new HubUnreachableError(`JupyterHub answered ${res.status}`);
    if (!res.ok) return null;
    const model = (await res.json().catch(() => null)) as { kind?: unknown; name?: unknown } | null;
    if (!model || typeof model.name !== 'string' || !model.name) return null;
    if (model.kind !== undefined && model.kind !== 'user') return null;
    return { name: model.name };
  }
}
