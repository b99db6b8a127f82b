import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { BanNetworks } from './http/ban-networks.js';
import { banNetworksGuard } from './http/ban-networks-guard.js';
import { callbackPath } from './auth/login-flow.js';
import { credentialsRouter } from './credentials/credentials-router.js';
import { repoReaders } from './credentials/repo-readers.js';
import { requireLoginForApi, requireLoginForPages } from './auth/require-login.js';
import { buildsApiRouter } from './builds-api/builds-router.js';
import { buildLogRouter } from './build-logs/build-log-router.js';
import { keyNames } from '../queue/index.js';
import { commonHeaders } from './http/common-headers.js';
import { requestGuards } from './http/request-guards.js';
import { trustProxySetting } from './http/trust-proxy.js';
import { createClientLimits } from './rate-limit/client-limits.js';
import { createPrebuilds } from './webhooks/create-prebuilds.js';
import { dashboardRouter } from './dashboard/dashboard-router.js';
import { jsonErrorHandler } from './http/json-error.js';
import { buildRouter } from './routes/build.js';
import { healthRouter } from './routes/health.js';
import { metricsRouter } from './routes/metrics.js';
import { repoProvidersRouter } from './routes/repo-providers.js';
import { versionsRouter } from './routes/versions.js';
import { uiRouter } from './ui/ui-router.js';
import { rebuildApiRouter } from './rebuilds/rebuild-api.js';
import { prebuildApiRouter } from './webhooks/prebuild-api.js';
import { cleanerRouter } from './registry-cleaner/cleaner-router.js';
import { webhookRouter } from './webhooks/webhook-router.js';

/**
 * The api as an Express app, with no globals: everything comes from `deps`. Routes are
 * mounted under `BinderHub.base_url` in upstream's order.
 */
export function createApp(given: AppDeps): Express {
  const limits = given.limits ?? createClientLimits(given.redis, given.config);
  const prebuilds = given.prebuilds ?? createPrebuilds(given);
  const deps: AppDeps = { ...given, limits, prebuilds };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(deps.config.BinderHub.trust_proxy));
  const base = express.Router();

  base.use(requestGuards()); // path length and client address, before anything parses
  base.use(webhookRouter(deps)); // next: reads the raw body (signatures)
  base.use(commonHeaders(deps.config.BinderHub.cors_allow_origin));
  // Unauthenticated, unbanned: probes and scrapers.
  base.use(versionsRouter({ ...deps, corsAllowOrigin: deps.config.BinderHub.cors_allow_origin }));
  base.use(healthRouter(deps.health));
  const bans = new BanNetworks(deps.config.BinderHub.ban_networks);
  base.use(banNetworksGuard(bans)); // everything below is refused to banned networks
  const login = deps.login;
  if (login) {
    // BinderHub.auth_enabled: a hub OAuth client (upstream's HubOAuthenticated handlers)
    const { oauth_redirect_uri } = deps.config.HubOAuth;
    app.get(
      callbackPath(oauth_redirect_uri, deps.config.BinderHub.base_url),
      login.flow.callback(),
    );
    base.get('/logout', login.flow.logout());
    base.use('/api/builds', requireLoginForApi(login.auth));
  }
  base.use(buildsApiRouter({ ...deps, pushLog: prebuilds.pushLog }));
  const readers = login && deps.userCredentials && repoReaders(login, deps.userCredentials);
  const keys = keyNames(deps.config.Redis.key_prefix);
  base.use(buildLogRouter({ ...deps, keys, readers: readers || undefined }));
  base.use(prebuildApiRouter({ ...deps, prebuilds })); // reads its own JSON body
  base.use(rebuildApiRouter(deps)); // reads its own JSON body
  base.use(cleanerRouter({ ...deps, cleaner: deps.registryCleaner })); // admin token
  base.use(metricsRouter(deps.metrics.registry));
  base.use(dashboardRouter({ ...deps, rebuild: deps })); // Dashboard.path: authenticated bull-board
  base.use(buildRouter(deps, bans));
  base.use(repoProvidersRouter(deps.providers));
  if (login) base.use(requireLoginForPages(login.auth, login.flow));
  const userCredentials = deps.userCredentials;
  if (login && userCredentials) base.use(credentialsRouter({ ...deps, login, userCredentials }));
  base.use(uiRouter({ ...deps, readers: readers || undefined })); // keep last: pages, badges, static, then the 404 catch-all

  app.use(deps.config.BinderHub.base_url, base);
  app.use(jsonErrorHandler(deps.log));
  return app;
}
