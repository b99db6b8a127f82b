import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { launchChromium, loopbackPage, screenshot } from '../helpers/browser.js';

// The home page in Chromium, served by the real api (createApp with real deps, Redis).

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ runner: false, config: { BinderHub: { enable_api_only_mode: false } } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function openHome() {
  const tab = await loopbackPage(browser);
  await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: h.url.slice(0, -1),
  });
  // Launching a gh link would make the api call GitHub: keep /build out of these tests.
  await tab.page.route('**/build/**', (route) => route.abort());
  await tab.page.goto(h.url);
  await tab.page.waitForSelector('#provider:not([disabled])');
  return tab;
}

const value = (tab: { page: import('playwright-core').Page }, id: string) =>
  tab.page.inputValue(`#${id}`);

describe('home page (real app)', () => {
  it('turns a pasted GitHub URL into the Binder link and badges', async () => {
    const tab = await openHome();
    const { page } = tab;
    await page.getByLabel('Repository host').selectOption('git');
    await page
      .getByLabel('Arbitrary git repository URL')
      .fill('https://github.com/binder-examples/requirements');
    expect(await page.inputValue('#provider')).toBe('gh');
    expect(await page.textContent('#repository-label')).toBe('GitHub repository name or URL');
    expect(await page.textContent('#detected')).toBe(
      'Detected GitHub repository binder-examples/requirements.',
    );
    const link = `${h.url}v2/gh/binder-examples/requirements/HEAD`;
    const badge = `${h.url}badge_logo.svg`;
    expect(await value(tab, 'launch-url')).toBe(link);
    expect(await value(tab, 'badge-markdown')).toBe(`[![Binder](${badge})](${link})`);
    expect(await value(tab, 'badge-rst')).toBe(`.. image:: ${badge}\n :target: ${link}`);
    expect(await value(tab, 'badge-html')).toBe(
      `<a href="${link}"><img src="${badge}" alt="Binder"></a>`,
    );
    await page.waitForFunction(
      () => (document.getElementById('badge-image') as HTMLImageElement).naturalWidth > 0,
    );
    expect(await page.getAttribute('#badge-preview', 'href')).toBe(link);

    await page.getByRole('button', { name: 'Copy Markdown badge' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `[![Binder](${badge})](${link})`,
    );
    expect(await page.textContent('#copy-status')).toBe('Markdown badge copied to the clipboard.');
    await screenshot(page, 'home-github-url');
    expect(tab.blocked).toEqual([]);
    await tab.close();
  });

  it('takes the ref and file from a GitHub blob URL, and the path kind from the form', async () => {
    const tab = await openHome();
    const { page } = tab;
    await page
      .getByLabel('GitHub repository name or URL')
      .fill('https://github.com/binder-examples/requirements/blob/main/index.ipynb');
    expect(await value(tab, 'ref')).toBe('main');
    expect(await value(tab, 'path')).toBe('index.ipynb');
    expect(await value(tab, 'launch-url')).toBe(
      `${h.url}v2/gh/binder-examples/requirements/main?urlpath=%2Fdoc%2Ftree%2Findex.ipynb`,
    );
    await page.getByLabel('Kind of path').selectOption('url');
    await page.getByLabel('URL to open (optional)').fill('/rstudio');
    expect(await value(tab, 'launch-url')).toBe(
      `${h.url}v2/gh/binder-examples/requirements/main?urlpath=%2Frstudio`,
    );
    await tab.close();
  });

  it('turns a pasted DOI or data repository page into its provider’s link (no ref)', async () => {
    const tab = await openHome();
    const { page } = tab;
    const repository = page.locator('#repository');
    await repository.fill('https://doi.org/10.5281/zenodo.3242074');
    expect(await page.inputValue('#provider')).toBe('zenodo');
    expect(await page.textContent('#repository-label')).toBe('Zenodo DOI');
    expect(await page.isDisabled('#ref')).toBe(true);
    const zenodo = `${h.url}v2/zenodo/10.5281/zenodo.3242074/`;
    expect(await value(tab, 'launch-url')).toBe(zenodo);
    expect(await value(tab, 'badge-markdown')).toBe(
      `[![Binder](${h.url}badge_logo.svg)](${zenodo})`,
    );
    await repository.fill('https://demo.ckan.org/dataset/sample-dataset-1');
    expect(await page.inputValue('#provider')).toBe('ckan');
    expect(await value(tab, 'launch-url')).toBe(
      `${h.url}v2/ckan/${encodeURIComponent('https://demo.ckan.org/dataset/sample-dataset-1')}/`,
    );
    const dir = '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4';
    await repository.fill(`swh:1:dir:${dir};origin=https://github.com/org/repo`);
    expect(await page.inputValue('#provider')).toBe('swhid');
    expect(await value(tab, 'launch-url')).toBe(`${h.url}v2/swhid/swh:1:dir:${dir}/`);
    await tab.close();
  });

  it('works from the keyboard: skip link first, Enter in the form launches', async () => {
    const tab = await openHome();
    const { page } = tab;
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Skip to main content',
    );
    await page.focus('#repository');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('alert').textContent()).toMatch(/^Enter a repository/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('repository');
    await page.keyboard.type('binder-examples/requirements');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${h.url}v2/gh/binder-examples/requirements/HEAD`);
    expect(await page.textContent('h1')).toBe('Starting binder-examples/requirements/HEAD');
    await tab.close();
  });

  it('answers an unknown path with the 404 page', async () => {
    const tab = await loopbackPage(browser);
    const res = await tab.page.goto(`${h.url}no/such/page`);
    expect(res?.status()).toBe(404);
    expect(await tab.page.textContent('h1')).toBe('404: Not Found');
    await screenshot(tab.page, 'not-found');
    await tab.close();
  });
});
