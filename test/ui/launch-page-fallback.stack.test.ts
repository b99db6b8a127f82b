import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { onlyJob, sleep, slowDockerfile, waitForState } from '../helpers/economy-helpers.js';
import { launchChromium, loopbackPage, screenshot } from '../helpers/browser.js';

// The launch page's "Start the version from <date> now" (issue 15, item 1) in Chromium
// against the whole local stack: a push of a new commit to a branch whose previous commit
// was built; the page follows the new build, offers the earlier image, and starts it.

const TOKEN = `prebuild-${randomUUID()}`;
let h: Harness;
let browser: Browser;
let repo: ServedGitRepo;
const servers: string[] = [];

beforeAll(async () => {
  await requireStack();
  h = await startHarness({
    config: {
      BinderHub: { enable_api_only_mode: false },
      BuildQueue: { orphan_grace_seconds: 3, follower_lease_seconds: 3 },
      PrebuildApi: { token: TOKEN },
    },
  });
  repo = await serveGitRepo({
    Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "v1 ${randomUUID()}"\n`,
  });
  // The first commit is built (a pre-build): the ref's last good image.
  const res = await fetch(`${h.url}api/prebuilds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'git', spec: `${encodeURIComponent(repo.url)}/main` }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const { buildName: build } = (await res.json()) as { buildName: string };
  const state = await waitForState(h, build, (s) => s === 'completed' || s === 'failed', 180_000);
  expect(state?.state, state?.failedReason).toBe('completed');
  await repo.addCommit({ Dockerfile: slowDockerfile(randomUUID(), 40) });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const url of servers) await h.stopServer(url);
  await repo?.close();
  await h?.close();
});

describe('launch page: the last good version', () => {
  it('offers the earlier version beside the build and starts it; the new commit keeps building', async () => {
    const { page, close } = await loopbackPage(browser);
    await page.goto(`${h.url}v2/git/${encodeURIComponent(repo.url)}/main`);
    await page.locator('#fallback').waitFor({ state: 'visible', timeout: 60_000 });
    const label = await page.textContent('#fallback-start');
    expect(label).toMatch(/^Start the version from .+ now$/);
    await page.waitForFunction(
      () => document.querySelector('.xterm-rows')?.textContent?.includes('tick 2'),
      undefined,
      { timeout: 120_000 },
    );
    await screenshot(page, 'launch-fallback-offer');
    await page.click('#fallback-start');
    await page.waitForURL(/\/user\/[^/]+\//, { timeout: 120_000, waitUntil: 'commit' });
    const server = /^(.*\/user\/[^/]+\/)/.exec(page.url())![1]!;
    servers.push(server);
    await close();

    // The page left the build's stream; the build of the new commit is not cancelled.
    await sleep(3000 + 3000 + 2000);
    const job = await onlyJob(h, ['active', 'waiting', 'prioritized']);
    expect(job.data.ref).toBe(repo.sha);
  }, 300_000);
});
