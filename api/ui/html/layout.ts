import type { PageConfig } from '../shared/page-config.js';
import { markup, raw, type SafeHtml } from './html.js';
import { scriptJson } from './script-json.js';
import type { SiteSettings } from './site-settings.js';
import { logoMark } from '../badges/logo-mark.js';

export interface PageOptions {
  title: string;
  /** `og:title`; the site's default when absent. */
  ogTitle?: string;
  page: PageConfig['page'];
  /** Extra keys of `window.pageConfig` (launch page: provider, spec, token). */
  config?: Partial<PageConfig>;
  content: SafeHtml;
  /** Bundled script of this page (`/static/<name>.js`). */
  script?: 'home' | 'launch';
}

/** The URL of a static asset, with the version as cache buster. */
export function staticUrl(site: SiteSettings, name: string): string {
  return `${site.baseUrl}static/${name}?v=${encodeURIComponent(site.version)}`;
}

function header(site: SiteSettings): SafeHtml {
  return markup`<header class="site-header">
    <a class="brand" href="${site.baseUrl}">${raw(logoMark(28))}<span>Binder</span></a>
    <nav aria-label="Site">
      <ul>
        <li><a href="${site.baseUrl}">Home</a></li>
        <li><a href="${site.baseUrl}about">About</a></li>
        ${
          site.user
            ? markup`<li class="hub-user">Logged in as <strong>${site.user}</strong></li>
        ${site.accountConnections ? markup`<li><a href="${site.baseUrl}auth/connections">Connected accounts</a></li>` : ''}
        <li><a href="${site.baseUrl}logout">Log out</a></li>`
            : ''
        }
      </ul>
    </nav>
  </header>`;
}

/**
 * A whole HTML page: `window.pageConfig` as the first script of `<head>` (as upstream,
 * whose tests read it there), operator header HTML, banner and footer scripts, and the
 * page's bundled script. Every dynamic value goes through `markup` (escaped).
 */
export function renderPage(site: SiteSettings, opts: PageOptions): string {
  const pageConfig: PageConfig = {
    baseUrl: site.baseUrl,
    badgeBaseUrl: site.badgeBaseUrl,
    binderVersion: site.version,
    page: opts.page,
    ...opts.config,
  };
  const footerScripts = site.extraFooterScripts.map((s) => markup`<script>${raw(s)}</script>\n`);
  const doc = markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<script>window.pageConfig = ${raw(scriptJson(pageConfig))};</script>
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<meta property="og:title" content="${opts.ogTitle ?? site.defaultOgTitle}">
<meta property="og:description" content="Reproducible, interactive, sharable environments for science at scale.">
<link rel="icon" href="${staticUrl(site, 'favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${staticUrl(site, 'styles.css')}">
${raw(site.extraHeaderHtml.join('\n'))}
</head>
<body class="page-${opts.page}">
<a class="skip-link" href="#main">Skip to main content</a>
${header(site)}
${site.bannerHtml ? markup`<aside class="banner" aria-label="Announcement">${raw(site.bannerHtml)}</aside>` : ''}
<main id="main" tabindex="-1">
${opts.content}
</main>
<footer class="site-footer"><p>Powered by BinderHub-TS ${site.version} · <a href="${site.baseUrl}about">About this Binder</a></p></footer>
${opts.script ? markup`<script src="${staticUrl(site, `${opts.script}.js`)}" defer></script>` : ''}
${footerScripts}
</body>
</html>
`;
  return doc.value;
}
