import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { freeLoopbackPort, startPrivateHub, type PrivateHub } from '../helpers/private-hub.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';
import { launchChromium, screenshot } from '../helpers/browser.js';

// Authenticated Binder (BinderHub.auth_enabled) in Chromium: a hub of the test's own in
// auth mode (scripts/stack/jupyterhub_config.py as `stack.sh up --auth` runs it: shared-
// password login, binderhub-ts registered as an OAuth service, servers running
// jupyterhub-singleuser), an api + runner on their own ports, repo2docker, the registry.

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'markdown', metadata: {}, source: ['# Launched for a logged-in user'] }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});
const LIMIT = 2;
const user = `u${randomUUID().slice(0, 8)}`;

let hub: PrivateHub;
let h: Harness;
let browser: Browser;
let context: BrowserContext;
let repo: ServedGitRepo;

beforeAll(async () => {
  await requireStack();
  const port = await freeLoopbackPort();
  hub = await startPrivateHub({
    auth: { binderUrl: `http://127.0.0.1:${port}/`, namedServerLimit: LIMIT },
  });
  h = await startHarness({
    config: {
      BinderHub: {
        port,
        hub_url: hub.url,
        hub_api_token: hub.apiToken,
        auth_enabled: true,
        enable_api_only_mode: false,
      },
      Launcher: { allow_named_servers: true, named_server_limit_per_user: LIMIT },
    },
  });
  repo = await serveGitRepo({
    Dockerfile: [`FROM ${stackInfo().baseImage}`, 'COPY --chown=1000:1000 . /home/jovyan/'].join(
      '\n',
    ),
    'index.ipynb': NOTEBOOK,
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await repo?.close();
  await h?.close();
  await hub?.close();
});

const launchUrl = () => `${h.url}v2/git/${encodeURIComponent(repo.url)}/HEAD?labpath=index.ipynb`;

async function serversOfUser(): Promise<Record<string, { user_options?: { image?: string } }>> {
  const res = await fetch(`${hub.apiUrl}users/${user}`, {
    headers: { authorization: `token ${hub.apiToken}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { servers: Record<string, { user_options?: { image?: string } }> })
    .servers;
}

/** Waits until the launch page sent the browser to one of the user's named servers. */
async function reachServer(page: Page): Promise<string> {
  const own = new RegExp(`^${hub.url}user/${user}/([^/]+)/`);
  await page.waitForURL(own, { timeout: 300_000, waitUntil: 'commit' });
  const name = own.exec(page.url())![1]!;
  await page.waitForSelector('.jp-NotebookPanel', { timeout: 120_000 });
  await page
    .locator('.jp-NotebookPanel .jp-RenderedMarkdown')
    .getByText('Launched for a logged-in user')
    .waitFor({ timeout: 60_000 });
  return name;
}

describe('authenticated Binder (hub login, the user’s own named servers)', () => {
  it('/build without a session answers 403 as upstream; pages send browsers to the hub', async () => {
    const res = await fetch(`${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`, {
      headers: { accept: 'text/event-stream' },
    });
    const body = await res.text();
    expect(body).toContain('"phase":"failed"');
    expect(body).toContain('"status_code":403');
    expect(body).toContain('Forbidden');
    const page = await fetch(launchUrl(), { redirect: 'manual' });
    expect(page.status).toBe(302);
    const to = new URL(page.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${hub.url}hub/api/oauth2/authorize`);
    expect(to.searchParams.get('client_id')).toBe('service-binder');
    expect(to.searchParams.get('redirect_uri')).toBe(`${h.url}oauth_callback`);
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    const api = await fetch(`${h.url}api/builds?repo=${encodeURIComponent(repo.url)}`);
    expect(api.status).toBe(403);

    // A callback whose state is not the one its login started with is refused (CSRF),
    // and the login's state cookie works once.
    const stateCookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const forged = await fetch(`${h.url}oauth_callback?code=abc&state=forged`, {
      headers: { cookie: stateCookie },
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: expect.stringMatching(/state/) });
    const replay = await fetch(
      `${h.url}oauth_callback?code=abc&state=${to.searchParams.get('state')}`,
      {
        headers: { cookie: stateCookie },
        redirect: 'manual',
      },
    );
    expect(replay.status).toBe(400);
  });

  it('logged out → hub login → back to the launch page → build → the user’s own server', async () => {
    const page = await context.newPage();
    await page.goto(launchUrl());
    await page.waitForURL(/\/hub\/login/, { timeout: 30_000 });
    await page.fill('#username_input', user);
    await page.fill('#password_input', hub.userPassword);
    await page.click('#login_submit');
    await page.waitForURL(/\/v2\/git\//, { timeout: 60_000 });
    expect(await page.textContent('.hub-user')).toBe(`Logged in as ${user}`);
    await screenshot(page, 'auth-launch-page');
    const first = await reachServer(page);
    await screenshot(page, 'auth-launch-notebook');
    const servers = await serversOfUser();
    expect(Object.keys(servers)).toEqual([first]);
    expect(servers[first]!.user_options?.image).toMatch(/^127\.0\.0\.1:5000\/binder-/);
    const session = (await context.cookies(h.url)).find((c) => c.name === 'binderhub-session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    await page.close();
  }, 480_000);

  it('a second launch starts a second named server for the same user', async () => {
    const page = await context.newPage();
    await page.goto(launchUrl());
    const second = await reachServer(page);
    expect(Object.keys(await serversOfUser()).sort()).toHaveLength(2);
    expect(second).toMatch(/^repo-[a-z0-9]{8}$/);
    await page.close();
  }, 300_000);

  it('past named_server_limit_per_user the launch page shows upstream’s 409 message', async () => {
    const page = await context.newPage();
    await page.goto(launchUrl());
    await page.getByRole('alert').waitFor({ state: 'visible', timeout: 120_000 });
    expect(await page.textContent('#failure-message')).toContain(
      `User ${user} already has the maximum of ${LIMIT} named servers.  One must be deleted before a new server can be created`,
    );
    expect(await page.textContent('#failure-hint')).toMatch(/as many servers as you may/);
    await screenshot(page, 'auth-launch-limit');
    expect(Object.keys(await serversOfUser())).toHaveLength(2);
    await page.close();
  }, 180_000);
});

/** The `data:` events of a finished `/build` stream. */
async function events(res: Response): Promise<Array<Record<string, unknown>>> {
  return (await res.text())
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
}

describe('API clients: a hub API token, the default server (no named servers)', () => {
  it('launches the token owner’s default server once, then answers upstream’s 409', async () => {
    // The user makes an API token on the hub's token page, as a person would.
    const page = await context.newPage();
    await page.goto(`${hub.url}hub/token`);
    await page.click('#request-token-form button[type=submit]');
    await page
      .locator('#token-result')
      .filter({ hasText: /\w{20,}/ })
      .waitFor({ timeout: 30_000 });
    const token = (await page.textContent('#token-result'))!.trim();
    await page.close();
    const port = await freeLoopbackPort();
    const single = await startHarness({
      runner: false, // the image exists: the first tests built it
      config: {
        BinderHub: {
          port,
          hub_url: hub.url,
          hub_api_token: hub.apiToken,
          auth_enabled: true,
          image_prefix: h.config.BinderHub.image_prefix,
        },
        Launcher: { allow_named_servers: false },
      },
    });
    try {
      const build = () =>
        fetch(`${single.url}build/git/${encodeURIComponent(repo.url)}/HEAD`, {
          headers: { accept: 'text/event-stream', authorization: `token ${token}` },
        });
      const first = (await events(await build())).at(-1)!;
      expect(first).toMatchObject({ phase: 'ready', url: `${hub.url}user/${user}/` });
      expect(Object.keys(await serversOfUser())).toContain('');
      const again = (await events(await build())).at(-1)!;
      expect(again).toMatchObject({
        phase: 'failed',
        status_code: 409,
        message: `User ${user} already has a running server.\n`,
      });
    } finally {
      await single.close();
    }
  }, 180_000);
});

describe('session end', () => {
  it('logout ends the session here and at the hub; /build is 403 again', async () => {
    const page = await context.newPage();
    const build = `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`;
    await page.goto(`${h.url}logout`);
    await page.waitForURL(/\/hub\/login/, { timeout: 30_000 });
    const after = await page.request.get(build, { headers: { accept: 'text/event-stream' } });
    expect(await after.text()).toContain('"status_code":403');
    expect((await context.cookies(h.url)).map((c) => c.name)).not.toContain('binderhub-session');
    // A hub token that is not a user's (the binder service's own) is no login either.
    const service = await fetch(build, {
      headers: { accept: 'text/event-stream', authorization: `token ${hub.apiToken}` },
    });
    expect(await service.text()).toContain('"status_code":403');
    await page.close();
  }, 60_000);
});
