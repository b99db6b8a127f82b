import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../app-deps.js';
import { buildTokensFor } from '../build-token/build-tokens-for.js';
import { createClientLimits } from '../rate-limit/client-limits.js';
import type { BuildTokens } from '../build-token/build-tokens.js';
import { createUiAssets, type UiAssets } from './assets/ui-assets.js';
import { BADGE_LOGO_SVG, BADGE_SVG } from './badges/badge-svgs.js';
import { keyNames } from '../../queue/index.js';
import { buildLogPageHandler } from './handlers/build-log-page-handler.js';
import { launchPageHandler } from './handlers/launch-page-handler.js';
import { legacyRedirectHandler } from './handlers/legacy-redirect.js';
import { notFoundHandler } from './handlers/not-found-handler.js';
import { sendHtml } from './handlers/send-html.js';
import { staticHandler } from './handlers/static-handler.js';
import { siteSettings, type SiteSettings } from './html/site-settings.js';
import { hubUserOf } from '../auth/require-login.js';
import { renderAboutPage } from './pages/about-page.js';
import { renderHomePage } from './pages/home-page.js';
import type { RepoReaders } from '../credentials/repo-readers.js';

export type UiDeps = Pick<AppDeps, 'config' | 'log' | 'version' | 'providers'> &
  Partial<Pick<AppDeps, 'redis' | 'limits' | 'bus' | 'buildQueue'>> & {
    /** Who may read private repositories' build logs (users' own credentials). */
    readers?: RepoReaders;
    /** Shared with `/build`'s guard; see `buildTokensFor`. */
    buildTokens?: BuildTokens;
    /** The browser bundle; by default bundled on the fly from source, or read from dist/ui. */
    uiAssets?: UiAssets;
  };

function svg(body: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('content-type', 'image/svg+xml');
    res.setHeader('cache-control', 'public, max-age=86400');
    res.send(body);
  };
}

/**
 * The web UI, mounted after every other route (it ends with the 404 catch-all), in
 * upstream's order: launch pages, the legacy `/repo/…` redirect, badges, about, home,
 * static assets, then a real 404 page. In API-only mode only the (JSON) 404 remains.
 */
export function uiRouter(deps: UiDeps): Router {
  const router = Router();
  const log = deps.log.child({ component: 'ui' });
  const assets = deps.uiAssets ?? createUiAssets();
  const site = siteSettings(deps.config, deps.version, assets.dev);
  /** The site as this request sees it: with its logged-in hub user, if any. */
  const siteOf = (locals: Record<string, unknown>): SiteSettings => {
    const user = hubUserOf(locals);
    return user ? { ...site, user } : site;
  };
  if (deps.config.BinderHub.enable_api_only_mode) {
    router.use(notFoundHandler(site, true));
    return router;
  }
  const tokens = buildTokensFor(deps);
  const limits = deps.limits ?? (deps.redis && createClientLimits(deps.redis, deps.config));
  const launchPage = { providers: deps.providers, tokens, limiter: limits?.launchPage, log };
  router.get('/v2/:provider/*spec', (req, res, next) =>
    launchPageHandler({ ...launchPage, site: siteOf(res.locals) })(req, res, next),
  );
  if (deps.redis && deps.bus && deps.buildQueue) {
    const logs = {
      redis: deps.redis,
      keys: keyNames(deps.config.Redis.key_prefix),
      bus: deps.bus,
      buildQueue: deps.buildQueue,
      readers: deps.readers,
    };
    router.get('/logs/:build', buildLogPageHandler(site, deps.config, logs));
  }
  router.get(['/repo/:user/:repo', '/repo/:user/:repo/*rest'], legacyRedirectHandler());
  router.get('/badge.svg', svg(BADGE_SVG));
  router.get('/badge_logo.svg', svg(BADGE_LOGO_SVG));
  router.get('/about', (_req, res) => sendHtml(res, 200, renderAboutPage(siteOf(res.locals))));
  router.get('/', (_req, res) => sendHtml(res, 200, renderHomePage(siteOf(res.locals))));
  router.get('/static/:name', staticHandler(assets, log));
  router.use((req, res, next) => notFoundHandler(siteOf(res.locals))(req, res, next));
  return router;
}
