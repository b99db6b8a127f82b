import { markup, raw } from '../html/html.js';
import { renderPage } from '../html/layout.js';
import type { SiteSettings } from '../html/site-settings.js';

/** `/about`: the operator's about message and the version. */
export function renderAboutPage(site: SiteSettings): string {
  const content = markup`<section class="card prose">
  <h1>About this Binder</h1>
  ${site.aboutHtml ? markup`<div class="about-message">${raw(site.aboutHtml)}</div>` : ''}
  <p>This website is powered by <a href="https://github.com/jupyterhub/binderhub">BinderHub</a>-compatible software: BinderHub-TS version <strong id="version">${site.version}</strong>.</p>
  <p>It builds a repository into a container image with repo2docker and starts it for you through JupyterHub. Links and badges follow BinderHub's format, so existing Binder links work here.</p>
</section>`;
  return renderPage(site, { title: 'About · Binder', page: 'about', content });
}
