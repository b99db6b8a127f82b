import type { PageConfig } from '../shared/page-config.js';

/** An element the page must have; a missing one is a bug in the page template. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
}

/** `window.pageConfig`, written by the server as the first script of the page. */
export function pageConfig(): PageConfig {
  return (window as unknown as { pageConfig: PageConfig }).pageConfig;
}

/** The page's base URL (`base_url` on this origin), absolute. */
export function appBaseUrl(config: PageConfig): URL {
  return new URL(config.baseUrl, window.location.href);
}
