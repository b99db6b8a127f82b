/**
 * What the published-client tests share: the client pages on another origin, a
 * JupyterHub of their own started with the stack's one CORS setting
 * (scripts/stack/jupyterhub_config.py reads it as the notebook servers' allow_origin), an
 * api + runner configured with the same value (BinderHub.cors_allow_origin), and Chromium.
 */
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { startPrivateHub, type PrivateHub } from '../helpers/private-hub.js';
import { requireStack } from '../helpers/stack.js';
import { launchLoopbackChromium } from '../helpers/browser.js';
import { bundleClientPages, serveClientPages, type ServedPages } from './client-pages.js';

export interface ClientRig {
  /** The one CORS setting both the api and the hub got. */
  setting: string;
  hub: PrivateHub;
  /** api and runner with `BinderHub.cors_allow_origin` = the setting. */
  h: Harness;
  pages: ServedPages;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * `setting`: the one CORS setting, as `bash scripts/stack.sh cors <value>` keeps it: `*`
 * (as mybinder.org), or `page-origin` for the origin the pages are served from.
 */
export async function startClientRig(setting: '*' | 'page-origin'): Promise<ClientRig> {
  await requireStack();
  const pages = await serveClientPages(await bundleClientPages());
  const value = setting === '*' ? '*' : pages.origin;
  const hub = await startPrivateHub({ corsAllowOrigin: value });
  const h = await startHarness({
    config: {
      BinderHub: { hub_url: hub.url, hub_api_token: hub.apiToken, cors_allow_origin: value },
    },
  });
  const browser = await launchLoopbackChromium();
  return {
    setting: value,
    hub,
    h,
    pages,
    browser,
    async close() {
      await browser.close();
      await pages.close();
      await h.close();
      await hub.close();
    },
  };
}
