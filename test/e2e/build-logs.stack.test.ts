import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { launchChromium, loopbackPage } from '../helpers/browser.js';

// A failed build's whole log after the build ended: the page `/logs/<build>` and the API
// `/api/builds/<build>/log`, against the real stack (git, runner, repo2docker, Docker).

const SECRET = `tok-${randomUUID().slice(0, 12)}`;
const DOCKERFILE = [
  'FROM binderhub-ts/jupyter-base:1',
  `RUN echo "step one ${randomUUID()}" && echo "clone from https://someone:${SECRET}@127.0.0.1/x.git" && echo "about to fail" && exit 3`,
].join('\n');

describe('build logs after the build', () => {
  let h: Harness;
  let broken: ServedGitRepo;
  let browser: Browser;
  let logUrl = '';
  let build = '';

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({
      config: {
        BinderHub: { enable_api_only_mode: false },
        Dashboard: { viewer_token: 'viewer-token-0123456789' },
      },
    });
    broken = await serveGitRepo({ Dockerfile: DOCKERFILE });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await broken?.close();
    await h?.close();
  });

  it('ends a failed build with a link to its log', async () => {
    const { events } = await readEventStream(
      `${h.url}build/git/${encodeURIComponent(broken.url)}/${broken.sha}`,
    );
    const last = events[events.length - 1]!;
    expect(last.phase).toBe('failed');
    logUrl = String(last.data.log_url);
    expect(logUrl).toMatch(/^\/logs\/build-[a-z0-9-]+$/);
    build = logUrl.slice('/logs/'.length);
  }, 300_000);

  it('serves the whole log as JSON and text once the build ended, secrets scrubbed', async () => {
    const res = await fetch(`${h.url}api/builds/${build}/log`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      build: string;
      state: string;
      outcome: string;
      expiresIn: number;
      lines: Array<{ phase?: string; message: string }>;
    };
    expect(body.build).toBe(build);
    expect(body.outcome).toBe('failed');
    expect(body.state).toBe('failed');
    expect(body.expiresIn).toBeGreaterThan(3600);
    const all = body.lines.map((l) => l.message).join('');
    expect(all).toContain('about to fail');
    expect(all).toContain('clone from https://someone:[secret]@127.0.0.1/x.git');
    expect(all).not.toContain(SECRET);
    expect(body.lines[body.lines.length - 1]!.phase).toBe('failed');
    const text = await fetch(`${h.url}api/builds/${build}/log?format=text`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const plain = await text.text();
    expect(plain).toContain('about to fail');
    expect(plain).not.toContain(SECRET);
  });

  it('answers 400 naming the problem for bad build names, 404 for unknown ones', async () => {
    for (const bad of ['BUILD-x', 'build-a_b', 'pod-abc', `build-${'a'.repeat(200)}`]) {
      const res = await fetch(`${h.url}api/builds/${bad}/log`);
      expect(res.status, bad).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/build name/i);
    }
    const format = await fetch(`${h.url}api/builds/${build}/log?format=xml`);
    expect(format.status).toBe(400);
    const unknown = await fetch(`${h.url}api/builds/build-never-ran-here-0/log`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('build-never-ran-here-0');
    const page404 = await fetch(`${h.url}logs/build-never-ran-here-0`);
    expect(page404.status).toBe(404);
    const page400 = await fetch(`${h.url}logs/Build-X`);
    expect(page400.status).toBe(400);
  });

  it('shows the log page in Chromium, linked from the launch page after the failure', async () => {
    const { page, blocked, close } = await loopbackPage(browser);
    try {
      await page.goto(`${h.url}v2/git/${encodeURIComponent(broken.url)}/${broken.sha}`);
      const link = page.locator('#failure-log-link');
      await link.waitFor({ state: 'visible', timeout: 240_000 });
      expect(await link.getAttribute('href')).toBe(logUrl);
      await link.click();
      await page.waitForURL(`**${logUrl}`);
      expect(await page.locator('#build-outcome').textContent()).toBe('failed');
      const text = (await page.locator('#build-log').textContent()) ?? '';
      expect(text).toContain('about to fail');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('\x1b[');
      expect(blocked).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);
});

describe('build logs for operators only (BuildQueue.build_log_access: operators)', () => {
  let h: Harness;
  const viewer = 'viewer-token-0123456789';
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: {
        BinderHub: { enable_api_only_mode: false },
        BuildQueue: { build_log_access: 'operators' },
        Dashboard: { viewer_token: viewer },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('asks for a dashboard token, then looks the build up', async () => {
    const url = `${h.url}api/builds/build-never-ran-here-0/log`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(((await anonymous.json()) as { error: string }).error).toMatch(/operators/);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${viewer}` } });
    expect(ok.status).toBe(404);
    const basic = `Basic ${Buffer.from(`ops:${viewer}`).toString('base64')}`;
    const page = await fetch(`${h.url}logs/build-never-ran-here-0`, {
      headers: { authorization: basic },
    });
    expect(page.status).toBe(404);
    expect((await fetch(`${h.url}logs/build-never-ran-here-0`)).status).toBe(401);
  });
});
