import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { observedPage } from '../helpers/browser.js';
import type { ThebeResult } from './pages/thebe-core.page.js';
import { startClientRig, type ClientRig } from './client-rig.js';

// thebe-core 0.5.0 (what Jupyter Book and MyST use to make pages executable through
// Binder), unchanged, in Chromium on a page served from another origin than the api and
// the hub, against the real stack with the one CORS setting naming the page's origin.
// (Also here: a page on an origin the setting does not name.)

let rig: ClientRig;
let repo: ServedGitRepo;

beforeAll(async () => {
  rig = await startClientRig('page-origin');
  repo = await serveGitRepo({
    Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "built for thebe-core"\n',
  });
}, 180_000);

afterAll(async () => {
  await repo?.close();
  await rig?.close();
});

async function runThebe(elsewhere?: 'elsewhere'): Promise<ThebeResult> {
  const { page, blocked, close } = await observedPage(rig.browser);
  await page.goto(rig.pages.url('thebe-core', elsewhere));
  const result = await page.evaluate((o) => window.thebePage.run(o), {
    binderUrl: rig.h.url,
    repo: repo.url,
    ref: 'HEAD',
    source: 'print(6*7)',
  });
  expect(blocked).toEqual([]);
  await close();
  return result;
}

describe('thebe-core 0.5.0 on another origin', () => {
  it('builds, starts a kernel and gets 42 from print(6*7)', async () => {
    const result = await runThebe();
    expect(result.error, result.log.join('\n')).toBeUndefined();
    expect(result.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '42\n' }]);
    expect(result.log.join('\n')).toMatch(/Binder is: building/);
    expect(rig.h.buildRuns).toBe(1);
    // The hub's half of the setting reached the notebook server: it names the page's
    // origin, whatever origin asks (without it, a token-authenticated request gets its
    // own origin echoed back).
    const server = new URL(result.userServerUrl!);
    const status = await fetch(new URL(`api/status${server.search}`, server), {
      headers: { origin: 'http://elsewhere.example' },
    });
    expect(status.status).toBe(200);
    expect(status.headers.get('access-control-allow-origin')).toBe(rig.setting);
  }, 300_000);

  it('a page on an origin the setting does not name gets no server, and no hub user is left', async () => {
    await rig.hub.removeAllUsers();
    await repo.addCommit({ 'blocked.txt': 'a ref with no image yet\n' });
    const result = await runThebe('elsewhere');
    expect(result.error).toMatch(/^Lost connection to binder/);
    expect(result.outputs).toEqual([]);
    // upstream's client from there too (fetch, where thebe-core uses EventSource)
    const { page, close } = await observedPage(rig.browser);
    await page.goto(rig.pages.url('binderhub-client', 'elsewhere'));
    const events = await page.evaluate((o) => window.binderhubClient.launch(o), {
      binderUrl: rig.h.url,
      spec: `git/${encodeURIComponent(repo.url)}/HEAD`,
    });
    expect(events).toEqual([
      { phase: 'failed', message: 'Error in event stream: TypeError: Failed to fetch\n' },
    ]);
    await close();
    // The browser sent the request and refused the answer: whatever the api started for
    // it, it must not leave a temporary user (nor a server) on the hub.
    await apiSettled();
    await expect.poll(() => hubUserNames(), { timeout: 60_000, interval: 500 }).toEqual([]);
  }, 180_000);
});

const hubUserNames = async () => (await rig.hub.users()).map((u) => u.name);

/** No /build stream open and no launch in progress, for 3 s in a row. */
async function apiSettled(timeoutMs = 60_000): Promise<void> {
  const { metrics } = rig.h.api.runtime.deps;
  const busy = async () =>
    ((await metrics.openEventStreams.get()).values[0]?.value ?? 0) +
    ((await metrics.inprogressLaunches.get()).values[0]?.value ?? 0);
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 3000) {
    if (Date.now() > deadline) throw new Error('the api still has streams or launches open');
    if ((await busy()) > 0) quietSince = Date.now();
    await new Promise((r) => setTimeout(r, 250));
  }
}
