import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { launchChromium, loopbackPage, screenshot } from '../helpers/browser.js';

// The launch page in Chromium against the whole local stack: api (createApp, real deps),
// runner with repo2docker on the Docker engine, registry, JupyterHub + DockerSpawner, and
// a git server on loopback. The rate limit is 1 launch per hour: only the page's build
// token lets the second launch of this file through.

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'markdown', metadata: {}, source: ['# Launched by the UI test'] }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

let h: Harness;
let browser: Browser;
let repo: ServedGitRepo;
let broken: ServedGitRepo;
const servers: string[] = [];

beforeAll(async () => {
  await requireStack();
  h = await startHarness({
    config: {
      BinderHub: { enable_api_only_mode: false },
      RateLimiter: { limit: 1, period_seconds: 3600 },
    },
  });
  repo = await serveGitRepo({
    Dockerfile: [
      'FROM binderhub-ts/jupyter-base:1',
      // Unique per run, so the Docker layer cache cannot skip the slow step.
      `RUN echo "run ${randomUUID()}" && for i in $(seq 1 12); do echo "slow build step $i"; sleep 1; done`,
      'COPY --chown=1000:1000 . /home/jovyan/',
    ].join('\n'),
    'index.ipynb': NOTEBOOK,
  });
  broken = await serveGitRepo({
    Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "about to fail" && exit 3\n',
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const url of servers) await h.stopServer(url);
  await repo?.close();
  await broken?.close();
  await h?.close();
});

const launchPath = (r: ServedGitRepo) => `v2/git/${encodeURIComponent(r.url)}/HEAD`;

describe('launch page (whole local stack)', () => {
  it('shows the log while building, then opens labpath in the notebook server', async () => {
    const { page, blocked, close } = await loopbackPage(browser);
    await page.goto(`${h.url}${launchPath(repo)}?labpath=index.ipynb`);
    await page.waitForFunction(
      () => document.querySelector('.xterm-rows')?.textContent?.includes('slow build step 3'),
      undefined,
      { timeout: 240_000 },
    );
    expect(page.url()).toContain('/v2/git/');
    expect(await page.textContent('#phase-status')).toBe('Building the environment…');
    expect(Number(await page.getAttribute('#log-container', 'data-log-lines'))).toBeGreaterThan(3);
    expect(blocked).toEqual([]);
    await screenshot(page, 'launch-stack-building');

    await page.waitForURL(/\/user\/[^/]+\/doc\/tree\/index\.ipynb\?token=[\w-]+$/, {
      timeout: 240_000,
      waitUntil: 'commit',
    });
    const server = /^(.*\/user\/[^/]+\/)/.exec(page.url())![1]!;
    servers.push(server);
    expect(server.startsWith('http://127.0.0.1:8000/user/')).toBe(true);
    // JupyterLab opened the notebook the link named.
    await page.waitForSelector('.jp-NotebookPanel', { timeout: 120_000 });
    await page
      .locator('.jp-NotebookPanel .jp-RenderedMarkdown')
      .getByText('Launched by the UI test')
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'launch-stack-notebook');
    await close();
  }, 480_000);

  it('shows why a failing repository failed, with its log', async () => {
    const { page, close } = await loopbackPage(browser);
    await page.goto(`${h.url}${launchPath(broken)}`);
    await page.getByRole('alert').waitFor({ state: 'visible', timeout: 240_000 });
    const message = await page.textContent('#failure-message');
    expect(message).toMatch(/non-zero code|exited with code|returned/);
    expect(await page.textContent('.xterm-rows')).toContain('about to fail');
    expect(await page.textContent('#phase-status')).toBe('Launch failed');
    await screenshot(page, 'launch-stack-failed');
    expect(page.url()).toContain('/v2/git/');
    await close();
  }, 300_000);
});
