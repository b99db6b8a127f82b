import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinderEvent } from '@jupyterhub/binderhub-client/client.js';
import { serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { observedPage, screenshot } from '../helpers/browser.js';
import type { LaunchOptions } from './pages/binderhub-client.page.js';
import { startClientRig, type ClientRig } from './client-rig.js';

// upstream's own JavaScript client, @jupyterhub/binderhub-client 0.5.0 unchanged, in
// Chromium on a page served from another origin than the api and the hub, against the
// real stack (runner with repo2docker, registry, a JupyterHub with DockerSpawner) with
// the one CORS setting on.

const SETTING = '*';
const RUNS = 20;

let rig: ClientRig;
let repo: ServedGitRepo;
let broken: ServedGitRepo;

beforeAll(async () => {
  rig = await startClientRig(SETTING);
  repo = await serveGitRepo({
    Dockerfile: [
      'FROM binderhub-ts/jupyter-base:1',
      'RUN echo "built for binderhub-client"',
      'COPY --chown=1000:1000 . /home/jovyan/',
    ].join('\n'),
    'launched-by-binderhub-client.md': '# opened through the token\n',
  });
  broken = await serveGitRepo({
    Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "about to fail" && exit 3\n',
  });
}, 180_000);

afterAll(async () => {
  await repo?.close();
  await broken?.close();
  await rig?.close();
});

const spec = (r: ServedGitRepo, ref = 'HEAD') => `git/${encodeURIComponent(r.url)}/${ref}`;

async function clientPage(): Promise<{ page: Page; blocked: string[]; close(): Promise<void> }> {
  const lp = await observedPage(rig.browser);
  await lp.page.goto(rig.pages.url('binderhub-client'));
  return lp;
}

const launch = (page: Page, o: LaunchOptions) =>
  page.evaluate((opts) => window.binderhubClient.launch(opts), o);

const phases = (events: BinderEvent[]) => events.map((e) => e.phase);

describe('@jupyterhub/binderhub-client 0.5.0 on another origin', () => {
  it('launches a repository, reaches ready, and opens the server with the token', async () => {
    const { page, blocked, close } = await clientPage();
    const events = await launch(page, { binderUrl: rig.h.url, spec: spec(repo) });
    const seen = phases(events);
    for (const p of ['waiting', 'fetching', 'building', 'pushing', 'built', 'launching'])
      expect(seen, seen.join(',')).toContain(p);
    expect(seen).not.toContain('failed');
    const ready = events[events.length - 1]!;
    expect(ready.phase).toBe('ready');
    expect(ready.url!.startsWith(`${rig.hub.url}user/`)).toBe(true);
    expect(ready.token).toMatch(/^[\w-]{16,}$/);

    await page.evaluate(
      ({ url, token }) => (window.location.href = window.binderhubClient.serverUrl(url, token)),
      { url: ready.url!, token: ready.token! },
    );
    await page.waitForURL((u) => u.href.startsWith(ready.url!) && !u.search.includes('token'), {
      timeout: 60_000,
    });
    // Notebook 7's file browser, with the session the token opened, lists the repository
    await page.getByText('launched-by-binderhub-client.md').waitFor({ timeout: 60_000 });
    await screenshot(page, 'binderhub-client-server');
    expect(blocked).toEqual([]);
    await close();
  }, 300_000);

  it('shows exactly one "failed" for a failing repository, in 20 of 20 runs', async () => {
    const { page, close } = await clientPage();
    const shown: string[][] = [];
    const buildsBefore = rig.h.buildRuns;
    for (let run = 0; run < RUNS; run++) {
      // a commit of its own: each run watches a live build fail (no replayed history)
      const sha = await broken.addCommit({ 'run.txt': `run ${run}\n` });
      const events = await launch(page, { binderUrl: rig.h.url, spec: spec(broken, sha) });
      const failed = events.filter((e) => e.phase === 'failed');
      shown.push(failed.map((e) => `run ${run + 1}: ${e.message}`));
      expect(events[events.length - 1]!.phase).toBe('failed');
      expect(failed[0]!.message).toMatch(/non-zero code|exited with code|returned/);
      expect(events.some((e) => e.message?.includes('about to fail'))).toBe(true);
    }
    // A second one ("Error in event stream: Error") is the client's own bug, surfacing when
    // the terminal frame shares a network read with the frames before it.
    expect(shown.filter((messages) => messages.length !== 1)).toEqual([]);
    expect(rig.h.buildRuns - buildsBefore).toBe(RUNS);
    await close();
  }, 900_000);

  it('sends its apiToken (Authorization) through the preflight', async () => {
    const { page, close } = await clientPage();
    const events = await launch(page, {
      binderUrl: rig.h.url,
      spec: spec(repo),
      apiToken: 'a-token-the-page-holds',
      buildOnly: true,
    });
    expect(phases(events)).not.toContain('failed');
    expect(events[events.length - 1]!.phase).toBe('ready');
    expect(events[events.length - 1]!.imageName).toContain(`:${repo.sha}`);
    await close();
  });

  it('lets a page resume with fetch and Last-Event-ID through the preflight', async () => {
    const { page, close } = await clientPage();
    // the id of a terminal event: the api answers 204, "that stream is over"
    const status = await page.evaluate(
      (url) =>
        fetch(url, { headers: { accept: 'text/event-stream', 'last-event-id': 'done-0e2b1a9c' } })
          .then((r) => r.status)
          .catch((err: Error) => err.message),
      `${rig.h.url}build/${spec(repo)}`,
    );
    expect(status).toBe(204);
    await close();
  });
});
