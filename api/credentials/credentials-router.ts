import { Router, type Request, type Response } from 'express';
import type { Config } from '../../queue/config/index.js';
import {
  CREDENTIAL_PROVIDERS,
  type CredentialProvider,
} from '../../queue/credentials/job-token.js';
import type { Logger } from '../../queue/index.js';
import type { HubLogin } from '../auth/create-hub-login.js';
import { crossSiteRefusal } from '../dashboard/cross-site.js';
import { sendJsonError } from '../http/json-error.js';
import { ConnectFlow } from './connect-flow.js';
import { connectionsPage } from './connections-page.js';
import { connectionStates } from './connection-states.js';
import type { UserCredentials } from './create-user-credentials.js';

const wantsHtml = (req: Request) => (req.get('accept') ?? '').includes('text/html');

/**
 * Users' own accounts (`BinderHub.auth_enabled` with `GitHubOAuth`/`GitLabOAuth`):
 * `GET auth/connect/<provider>` and its `/callback`, `GET auth/connections` (JSON, or a
 * page for browsers), `POST auth/connections/<provider>/disconnect` and
 * `DELETE auth/connections/<provider>` (revoked at the site, removed here). Every route
 * needs a hub login; the state-changing ones refuse cross-site requests.
 */
export function credentialsRouter(deps: {
  config: Config;
  log: Logger;
  login: HubLogin;
  userCredentials: UserCredentials;
}): Router {
  const router = Router();
  const b = deps.config.BinderHub;
  const flow = new ConnectFlow({
    credentials: deps.userCredentials,
    baseUrl: b.base_url,
    cookieName: deps.config.HubOAuth.cookie_name,
    cookieSecure: deps.config.HubOAuth.cookie_secure,
    log: deps.log.child({ component: 'connect' }),
  });
  const providerOf = (req: Request, res: Response): CredentialProvider | undefined => {
    const p = String(req.params.provider);
    const known = (CREDENTIAL_PROVIDERS as readonly string[]).includes(p);
    if (known && deps.userCredentials.sites.has(p as CredentialProvider))
      return p as CredentialProvider;
    sendJsonError(res, 404, `No account of "${p.slice(0, 40)}" can be connected here`);
    return undefined;
  };
  const userOf = async (req: Request, res: Response) => {
    const user = await deps.login.auth.userFor(req);
    if (!user) sendJsonError(res, 403, 'Forbidden: log in through JupyterHub first');
    return user ?? undefined;
  };

  router.get('/auth/connect/:provider', async (req, res) => {
    const user = await userOf(req, res);
    const provider = user && providerOf(req, res);
    if (user && provider) await flow.start(req, res, user, provider);
  });
  router.get('/auth/connect/:provider/callback', async (req, res) => {
    const user = await userOf(req, res);
    const provider = user && providerOf(req, res);
    if (user && provider) await flow.callback(req, res, user, provider);
  });
  router.get('/auth/connections', async (req, res) => {
    const user = await userOf(req, res);
    if (!user) return;
    const states = await connectionStates(deps.userCredentials, user);
    res.setHeader('cache-control', 'no-store');
    if (wantsHtml(req))
      return void res.type('html').send(connectionsPage(user, b.base_url, states));
    res.json({ user, connections: states });
  });
  const disconnect = async (req: Request, res: Response) => {
    const refused = crossSiteRefusal((h) => req.get(h), req.get('host'), false);
    if (refused) return sendJsonError(res, 403, `Refused as cross-site: ${refused}`);
    const user = await userOf(req, res);
    const provider = user && providerOf(req, res);
    if (!user || !provider) return;
    const outcome = await flow.disconnect(user, provider);
    if (req.method === 'POST' && wantsHtml(req))
      return void res.redirect(303, `${b.base_url}auth/connections`);
    res.json({ provider, connected: false, ...outcome });
  };
  router.post('/auth/connections/:provider/disconnect', disconnect);
  router.delete('/auth/connections/:provider', disconnect);
  return router;
}
