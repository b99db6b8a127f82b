import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../../../../api/providers/create-providers.js';
import { repoProvidersRouter } from '../../../../api/routes/repo-providers.js';
import { createBuildTokens } from '../../../../api/build-token/create-build-tokens.js';
import { createUiAssets } from '../../../../api/ui/assets/ui-assets.js';
import { uiRouter } from '../../../../api/ui/ui-router.js';
import { parseConfig, type ConfigInput } from '../../../../queue/config/index.js';
import { createLogger } from '../../../../queue/index.js';

interface Running {
  url: string;
  close(): Promise<void>;
}

async function serve(input: ConfigInput): Promise<Running> {
  const config = parseConfig(input);
  const log = createLogger({ level: 'silent' });
  const providers = createProviders(config);
  const app = express();
  const router = express.Router();
  router.use(repoProvidersRouter(providers));
  router.use(
    uiRouter({
      config,
      log,
      version: '9.8.7-test',
      providers,
      buildTokens: createBuildTokens(config, log),
      uiAssets: createUiAssets(),
    }),
  );
  app.use(config.BinderHub.base_url, router);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${config.BinderHub.base_url}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let site: Running;
let prefixed: Running;
let apiOnly: Running;

beforeAll(async () => {
  site = await serve({
    BinderHub: {
      banner_message: '<strong id="banner-text">Maintenance tonight</strong>',
      about_message: '<p id="about-text">Run by the test suite.</p>',
      extra_header_html: {
        b: '<meta name="second" content="2">',
        a: '<meta name="first" content="1">',
      },
      extra_footer_scripts: { x: 'window.footerRan = true;' },
    },
  });
  prefixed = await serve({ BinderHub: { base_url: '/binder/' } });
  apiOnly = await serve({ BinderHub: { enable_api_only_mode: true } });
});

afterAll(async () => {
  await Promise.all([site.close(), prefixed.close(), apiOnly.close()]);
});

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, redirect: 'manual' });

describe('pages', () => {
  it('serves the home page with pageConfig as the first head script, operator HTML and assets', async () => {
    const res = await get(site.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    const head = page.slice(page.indexOf('<head>'), page.indexOf('</head>'));
    expect(head.indexOf('<script>window.pageConfig = {')).toBe(head.indexOf('<script'));
    expect(head.indexOf('name="first"')).toBeLessThan(head.indexOf('name="second"'));
    expect(page).toContain('<strong id="banner-text">Maintenance tonight</strong>');
    expect(page).toContain('<script>window.footerRan = true;</script>');
    expect(page).toContain('<label for="repository"');
    for (const asset of ['styles.css', 'home.js', 'favicon.svg']) {
      const src = new RegExp(`"(/static/${asset.replace('.', '\\.')}\\?v=[^"]+)"`).exec(page)?.[1];
      expect(src, asset).toBeDefined();
      const file = await get(new URL(src!, site.url).toString());
      expect(file.status, asset).toBe(200);
      expect((await file.text()).length, asset).toBeGreaterThan(100);
    }
  });

  it('bundles xterm.js and its stylesheet locally (no network assets)', async () => {
    const js = await (await get(`${site.url}static/launch.js`)).text();
    const css = await (await get(`${site.url}static/styles.css`)).text();
    expect(js).toContain('xterm');
    expect(css).toContain('.xterm');
    const page = await (await get(`${site.url}v2/gh/org/repo/HEAD`)).text();
    expect(page).not.toMatch(/(src|href)="https?:/);
  });

  it('serves the about page with the version and the about message', async () => {
    const page = await (await get(`${site.url}about`)).text();
    expect(page).toContain('This website is powered by');
    expect(page).toContain('9.8.7-test');
    expect(page).toContain('<p id="about-text">Run by the test suite.</p>');
  });

  it('serves our own badges as SVG', async () => {
    for (const name of ['badge.svg', 'badge_logo.svg']) {
      const res = await get(`${site.url}${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      const svg = await res.text();
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg).toContain('launch binder');
    }
  });
});

describe('launch page', () => {
  it('embeds a build token for <provider>/<spec> bound to the Host', async () => {
    const res = await get(`${site.url}v2/gh/binderhub-ci-repos/requirements/master/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    const token = /id="build-token" data-token="([^"]+)"/.exec(page)![1]!;
    const claims = decodeJwt(token);
    expect(claims.aud).toBe('gh/binderhub-ci-repos/requirements/master');
    expect(claims.origin).toBe(new URL(site.url).host);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(claims.exp).toBeLessThan(Date.now() / 1000 + 7200);
    expect(page).toContain('"buildToken":"' + token + '"');
    expect(page).toContain(
      '<meta property="og:title" content="GitHub: binderhub-ci-repos/requirements/master">',
    );
    expect(page).toContain('id="log-container"');
  });

  it('binds the token to the Origin header when there is one', async () => {
    const page = await (
      await get(`${site.url}v2/gh/a/b/HEAD`, { origin: 'https://my.origin' })
    ).text();
    const token = /data-token="([^"]+)"/.exec(page)![1]!;
    expect(decodeJwt(token).origin).toBe('my.origin');
  });

  it('keeps the raw spec for /build and escapes it in the page', async () => {
    const res = await get(`${site.url}v2/git/%3Cscript%3Ealert(1)%3C%2Fscript%3E/HEAD`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;/HEAD');
    expect(page).toContain('"spec":"%3Cscript%3Ealert(1)%3C%2Fscript%3E/HEAD"');
  });

  it('answers a malformed spec with a 400 page and an unknown provider with a 404 page', async () => {
    const bad = await get(`${site.url}v2/gh/binderhub-ci-repos%2Frequirements/master`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Spec for this provider should match [^/]+/[^/]+/.+');
    const unknown = await get(`${site.url}v2/nope/a/b`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No provider found for prefix nope');
  });
});

describe('redirects and 404s', () => {
  it('redirects legacy /repo links without the base_url prefix (as upstream)', async () => {
    const res = await get(
      `${prefixed.url}repo/binderhub-ci-repos/requirements/notebooks/index.ipynb`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      '/v2/gh/binderhub-ci-repos/requirements/master?urlpath=%2Fnotebooks%2Findex.ipynb',
    );
  });

  it('mounts everything under base_url', async () => {
    expect(prefixed.url).toMatch(/\/binder\/$/);
    const page = await (await get(prefixed.url)).text();
    expect(page).toContain('href="/binder/static/styles.css?v=');
    expect((await get(`${prefixed.url}badge.svg`)).status).toBe(200);
  });

  it('answers unknown paths with a real 404: HTML for browsers, JSON for API clients', async () => {
    const html = await get(`${site.url}no/such/page`, { accept: 'text/html' });
    expect(html.status).toBe(404);
    expect(await html.text()).toContain('404: Not Found');
    const json = await get(`${site.url}no/such/page`, { accept: 'application/json' });
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ status: 404, error: 'There is no page at /no/such/page.' });
    expect((await get(`${site.url}api/nothing`)).headers.get('content-type')).toMatch(/json/);
    expect((await get(`${site.url}static/nothing.js`)).status).toBe(404);
  });

  it('serves no pages in API-only mode', async () => {
    for (const path of ['', 'about', 'v2/gh/a/b/HEAD', 'badge.svg']) {
      const res = await get(`${apiOnly.url}${path}`, { accept: 'text/html' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/json/);
    }
  });
});
