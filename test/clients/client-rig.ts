/**
 * What the published-client tests share: a JupyterHub of their own started with the
 * stack's one CORS setting (scripts/stack/jupyterhub_config.py reads it as the notebook
 * servers' allow_origin), an api + runner configured with the same value
 * (BinderHub.cors_allow_origin), the client pages on another origin, and Chromium.
 */
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { startPrivateHub, type PrivateHub } from '../helpers/private-hub.js';
import { requireStack } from '../helpers/stack.js';
import { launchChromium } from '../ui/browser.js';
import { bundleClientPages, serveClientPages, type ServedPages } from './client-pages.js';

export interface ClientRig {
  hub: PrivateHub;
  /** api and runner with `BinderHub.cors_allow_origin` = the setting. */
  h: Harness;
  pages: ServedPages;
  browser: Browser;
  /** An api without CORS (upstream's default), no runner, on the same hub and images. */
  startApiWithoutCors(): Promise<Harness>;
  close(): Promise<void>;
}

/** `corsAllowOrigin`: the one setting, as `bash scripts/stack.sh cors <value>` keeps it. */
export async function startClientRig(corsAllowOrigin: string): Promise<ClientRig> {
  await requireStack();
  const files = await bundleClientPages();
  const hub = await startPrivateHub({ corsAllowOrigin });
  const onHub = { hub_url: hub.url, hub_api_token: hub.apiToken };
  const h = await startHarness({
    config: { BinderHub: { ...onHub, cors_allow_origin: corsAllowOrigin } },
  });
  const pages = await serveClientPages(files);
  const browser = await launchChromium();
  const others: Harness[] = [];
  return {
    hub,
    h,
    pages,
    browser,
    async startApiWithoutCors() {
      const other = await startHarness({
        runner: false,
        config: { BinderHub: { ...onHub, image_prefix: h.config.BinderHub.image_prefix } },
      });
      others.push(other);
      return other;
    },
    async close() {
      await browser.close();
      await pages.close();
      for (const other of others) await other.close();
      await h.close();
      await hub.close();
    },
  };
}
