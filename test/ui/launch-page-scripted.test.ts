import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders } from '../../api/providers/create-providers.js';
import { createBuildTokens } from '../../api/build-token/create-build-tokens.js';
import { createUiAssets } from '../../api/ui/assets/ui-assets.js';
import { uiRouter } from '../../api/ui/ui-router.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger } from '../../queue/index.js';
import { launchChromium, loopbackPage, screenshot, type LoopbackPage } from '../helpers/browser.js';

// The launch page in Chromium against a SCRIPTED /build route (a stand-in for the build
// flow, to pin down the page's behaviour: log, progress, failure, resume, redirect).
// The same page against the real stack is in launch-page.stack.test.ts.

type Frame = { id?: string; event: Record<string, unknown> } | 'drop' | { wait: Promise<void> };

interface BuildRequest {
  path: string;
  token: string | undefined;
  lastEventId: string | undefined;
}

let server: Server;
let base: string;
let browser: Browser;
let scripts: Frame[][] = [];
let requests: BuildRequest[] = [];
let tab: LoopbackPage;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function scriptedBuild(): express.RequestHandler {
  return async (req, res) => {
    requests.push({
      path: req.path,
      token: req.query.build_token as string | undefined,
      lastEventId: req.get('last-event-id'),
    });
    const script = scripts.shift() ?? [];
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const frame of script) {
      if (frame === 'drop') return void res.socket?.destroy();
      if ('wait' in frame) {
        await frame.wait;
        continue;
      }
      res.write(`${frame.id ? `id: ${frame.id}\n` : ''}data: ${JSON.stringify(frame.event)}\n\n`);
      await sleep(20);
    }
    res.end();
  };
}

beforeAll(async () => {
  const config = parseConfig({});
  const providers = createProviders(config);
  const app = express();
  app.get('/build/:provider/*spec', scriptedBuild());
  // The "notebook server" the page redirects to.
  app.get('/user/test/*rest', (req, res) => {
    res.type('html').send(`<!doctype html><title>server</title><p id="path">${req.path}</p>`);
  });
  // Last, as in createApp: its 404 catch-all answers everything else.
  const log = createLogger({ level: 'silent' });
  const buildTokens = createBuildTokens(config, log);
  app.use(
    uiRouter({ config, log, version: 'test', providers, buildTokens, uiAssets: createUiAssets() }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

beforeEach(async () => {
  scripts = [];
  requests = [];
  await tab?.close();
  tab = await loopbackPage(browser);
});

const spec = `${encodeURIComponent('http://127.0.0.1:9/repo.git')}/HEAD`;
const ev = (phase: string | undefined, message: string, id?: string): Frame => ({
  id,
  event: phase ? { phase, message } : { message },
});

function ready(token = 'tok123'): Frame {
  return {
    id: 'done-1',
    event: { phase: 'ready', message: 'server running\n', url: `${base}user/test/`, token },
  };
}

describe('launch page against a scripted /build', () => {
  it('shows the live log and progress, then lands on the server with labpath and the token', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    scripts.push([
      ev('waiting', 'Waiting for build to start...\n'),
      ev('fetching', 'Picked Git content provider.\n', '1-0'),
      ev('building', 'Step 1/3 : FROM binderhub-ts/jupyter-base:1\n', '2-0'),
      ev(undefined, 'Step 2/3 : RUN echo hello\n', '3-0'),
      ev('building', 'hello\n', '4-0'),
      { wait: hold },
      ev('built', 'Built image, launching...\n'),
      ev('launching', 'Launching server...\n'),
      ready(),
    ]);
    const { page, blocked } = tab;
    await page.goto(`${base}v2/git/${spec}?labpath=dir/my%20nb.ipynb/`);
    await page.waitForFunction(
      () => Number(document.getElementById('log-container')?.dataset.logLines) >= 5,
    );
    expect(await page.textContent('#phase-status')).toBe('Building the environment…');
    expect(await page.textContent('#steps li[aria-current="step"]')).toBe(
      'Building the environment',
    );
    expect(Number(await page.getAttribute('#progress', 'value'))).toBeGreaterThan(0);
    const rows = await page.textContent('.xterm-rows');
    expect(rows).toContain('Step 2/3 : RUN echo hello');
    expect(rows).toContain('hello');
    await screenshot(page, 'launch-scripted-building');
    release();
    await page.waitForURL(`${base}user/test/doc/tree/dir/my%20nb.ipynb?token=tok123`);
    expect(await page.textContent('#path')).toBe('/user/test/doc/tree/dir/my%20nb.ipynb');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe(`/build/git/${spec}`);
    expect(requests[0]!.token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(blocked).toEqual([]);
  });

  it('explains a failure prominently and keeps the log', async () => {
    scripts.push([
      ev('building', 'Step 2/2 : RUN exit 3\n', '1-0'),
      ev('failed', "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n"),
    ]);
    const { page } = tab;
    await page.goto(`${base}v2/git/${spec}`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await page.textContent('#failure-message')).toBe(
      "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    );
    expect(await page.textContent('#failure-hint')).toMatch(/build log shows the error/);
    expect(await page.textContent('#phase-status')).toBe('Launch failed');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('retry');
    expect(await page.textContent('.xterm-rows')).toContain('RUN exit 3');
    await screenshot(page, 'launch-scripted-failed');
    expect(page.url()).toBe(`${base}v2/git/${spec}`);
  });

  it('resumes a dropped stream with Last-Event-ID and the build token, without repeating the log', async () => {
    scripts.push([
      ev('waiting', 'Waiting for build to start...\n'),
      ev('building', 'line one\n', '1-0'),
      ev('building', 'line two\n', '2-0'),
      'drop',
    ]);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    scripts.push([ev('building', 'line three\n', '3-0'), { wait: hold }, ready('again')]);
    const { page } = tab;
    await page.goto(`${base}v2/git/${spec}?filepath=notebooks/`);
    await page.waitForFunction(() =>
      document.querySelector('.xterm-rows')?.textContent?.includes('line three'),
    );
    const log = (await page.textContent('.xterm-rows')) ?? '';
    expect(log.split('line two')).toHaveLength(2);
    expect(log).toContain('connection lost');
    release();
    await page.waitForURL(`${base}user/test/tree/notebooks?token=again`, { timeout: 20_000 });
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, '2-0']);
    expect(requests[1]!.token).toBe(requests[0]!.token);
  });

  it('honours urlpath when neither labpath nor filepath is given', async () => {
    scripts.push([ready('t')]);
    await tab.page.goto(`${base}v2/git/${spec}?urlpath=%2Flab%2Ftree%2Fa.ipynb`);
    await tab.page.waitForURL(`${base}user/test/lab/tree/a.ipynb?token=t`);
  });
});
