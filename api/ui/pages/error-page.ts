import { markup } from '../html/html.js';
import { renderPage } from '../html/layout.js';
import type { SiteSettings } from '../html/site-settings.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** An error page (`404: Not Found` etc.) with a message and a way back. */
export function renderErrorPage(site: SiteSettings, status: number, message: string): string {
  const title = `${status}: ${TITLES[status] ?? 'Error'}`;
  const content = markup`<section class="card error-page">
  <h1>${title}</h1>
  <p id="error-message">${message}</p>
  <p><a href="${site.baseUrl}">Go to the home page</a> to make a new Binder link.</p>
</section>`;
  return renderPage(site, { title: `${title} · Binder`, page: 'error', content });
}
