import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'ui');

/** Debian's Chromium, headless, with no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

export interface LoopbackPage {
  page: Page;
  context: BrowserContext;
  /** Requests the page tried to send off the machine (aborted). */
  blocked: string[];
  close(): Promise<void>;
}

function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * A fresh page whose requests may only go to loopback: anything else is aborted and
 * recorded (tests assert the UI needs no network assets).
 */
export async function loopbackPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<LoopbackPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  return { page, context, blocked, close: () => context.close() };
}

/**
 * Chromium that reaches nothing but loopback WITHOUT intercepting requests: every other
 * address goes to a proxy that does not exist (Chromium never proxies loopback). For
 * CORS tests: while a page intercepts requests (`loopbackPage`), Playwright answers CORS
 * preflights itself and allows every header, so a preflight the server refuses would pass.
 */
export function launchLoopbackChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--proxy-server=http://127.0.0.1:9',
    ],
  });
}

/** A page of `launchLoopbackChromium`: requests off loopback are recorded (and fail). */
export async function observedPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<LoopbackPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const blocked: string[] = [];
  context.on('request', (request) => {
    if (!isLoopback(request.url())) blocked.push(request.url());
  });
  const page = await context.newPage();
  return { page, context, blocked, close: () => context.close() };
}

/** Saves a full-page screenshot as test-artifacts/ui/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
