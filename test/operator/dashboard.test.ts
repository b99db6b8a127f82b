import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoard } from '../../api/dashboard/dashboard-board.js';
import { dashboardRouter } from '../../api/dashboard/dashboard-router.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger } from '../../queue/index.js';
import { testJob, testQueue, waitFor, type TestQueue } from '../helpers/test-queue.js';

const ADMIN = 'admin-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const log = createLogger({ level: 'silent' });

const basic = (user: string, token: string) =>
  `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

function appFor(tq: TestQueue, dashboard: Record<string, string>, baseUrl = '/') {
  const config = parseConfig({ BinderHub: { base_url: baseUrl }, Dashboard: dashboard });
  const app = express();
  app.disable('x-powered-by');
  const base = express.Router();
  base.use(dashboardRouter({ config, buildQueue: tq.buildQueue, log }));
  base.use((_req, res) => void res.status(418).json({ fellThrough: true }));
  app.use(config.BinderHub.base_url, base);
  return app;
}

describe('queue dashboard (bull-board) against a real queue and worker', () => {
  let tq: TestQueue;
  let server: Server;
  let url: string;
  let board: string;
  let api: string;
  let attempts = 0;
  const job = testJob(`dash-${Date.now()}`);

  beforeAll(async () => {
    tq = testQueue();
    // A real worker whose first attempt fails, as a broken build would; later ones succeed.
    tq.worker(async (j) => {
      attempts += 1;
      if (attempts === 1) throw new Error('repo2docker exited with 1');
      return { image: j.data.image, durationMs: 1 };
    });
    await tq.buildQueue.enqueue(job);
    await waitFor(
      async () => (await tq.buildQueue.bullmq.getJobState(job.buildName)) === 'failed',
      15_000,
      'the first attempt to fail',
    );
    ({ server, url } = await listen(
      appFor(tq, { admin_token: ADMIN, viewer_token: VIEWER }, '/binder/'),
    ));
    board = `${url}/binder/admin/queues`;
    api = `${board}/api/queues/${tq.name}`;
  });

  afterAll(async () => {
    server?.close();
    await tq?.close();
  });

  const state = () => tq.buildQueue.bullmq.getJobState(job.buildName);

  it('is off, with a 404 naming the traits to set, when no token is configured', async () => {
    const off = await listen(appFor(tq, {}));
    try {
      const res = await fetch(`${off.url}/admin/queues/api/queues`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { status: number; error: string };
      expect(body.status).toBe(404);
      expect(body.error).toContain('Dashboard.admin_token');
      expect(body.error).toContain('Dashboard.viewer_token');
    } finally {
      off.server.close();
    }
  });

  it('answers 401 with a basic-auth challenge without (or with wrong) credentials', async () => {
    for (const path of ['', '/', '/api/queues', `/api/queues/${tq.name}/${job.buildName}`]) {
      const res = await fetch(`${board}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(((await res.json()) as { error: string }).error).toMatch(/Authorization: Bearer/);
    }
    for (const authorization of [
      `Bearer ${ADMIN}x`,
      basic('admin', 'nope-nope-nope-nope'),
      'Token abc',
      'Basic !!!',
    ]) {
      const res = await fetch(`${board}/api/queues`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('shows a viewer the failed job, read-only, with readable job data', async () => {
    const auth = { authorization: basic('someone', VIEWER) };
    const page = await fetch(`${board}/`, { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/binder/admin/queues/"');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');

    const list = await fetch(`${board}/api/queues?activeQueue=${tq.name}&status=failed`, {
      headers: auth,
    });
    const body = (await list.json()) as {
      queues: Array<{
        name: string;
        readOnlyMode: boolean;
        allowRetries: boolean;
        jobs: Array<{ id: string; name: string }>;
      }>;
    };
    const q = body.queues.find((x) => x.name === tq.name)!;
    expect(q.readOnlyMode).toBe(true);
    expect(q.allowRetries).toBe(false);
    expect(q.jobs.map((j) => j.name)).toEqual([`gh/${job.spec}@${job.ref.slice(0, 12)}`]);

    const detail = await fetch(`${api}/${job.buildName}`, { headers: auth });
    const { job: shown } = (await detail.json()) as {
      job: { data: Record<string, unknown>; failedReason: string };
    };
    expect(shown.failedReason).toContain('repo2docker exited with 1');
    expect(shown.data).toMatchObject({
      image: job.image,
      trigger: 'launch',
      provider: 'GitHub (gh)',
      ref: job.ref,
      requestedAt: new Date(job.requestedAt).toISOString(),
    });
  });

  it("refuses a viewer's retry with 403 at the auth layer; the job stays failed", async () => {
    for (const authorization of [basic('v', VIEWER), `Bearer ${VIEWER}`]) {
      const res = await fetch(`${api}/${job.buildName}/retry`, {
        method: 'PUT',
        headers: { authorization, origin: url, 'sec-fetch-site': 'same-origin' },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/Read-only/);
    }
    expect(await state()).toBe('failed');
  });

  it('the viewer board itself refuses changes too (bull-board read-only mode, 405)', async () => {
    const app = express();
    app.use(
      '/raw',
      createBoard({ buildQueue: tq.buildQueue, role: 'viewer', basePath: '/raw', title: 't' }),
    );
    const raw = await listen(app);
    try {
      const res = await fetch(`${raw.url}/raw/api/queues/${tq.name}/${job.buildName}/retry`, {
        method: 'PUT',
      });
      expect(res.status).toBe(405);
    } finally {
      raw.server.close();
    }
    expect(await state()).toBe('failed');
  });

  it('refuses an admin action that is, or may be, cross-site', async () => {
    const cases: Array<Record<string, string>> = [
      { authorization: basic('admin', ADMIN), origin: 'https://evil.example' },
      { authorization: basic('admin', ADMIN), 'sec-fetch-site': 'cross-site', origin: url },
      { authorization: basic('admin', ADMIN), 'sec-fetch-site': 'same-site' },
      { authorization: basic('admin', ADMIN), origin: 'null' },
      // Cached basic credentials with no browser signal at all: could be a stale browser.
      { authorization: basic('admin', ADMIN) },
    ];
    for (const headers of cases) {
      const res = await fetch(`${api}/${job.buildName}/retry`, { method: 'PUT', headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/Cross-site request refused/);
    }
    expect(await state()).toBe('failed');
  });

  it('lets an admin retry the failed job from the dashboard origin; the worker then builds it', async () => {
    const admin = basic('operator', ADMIN);
    const list = await fetch(`${board}/api/queues?activeQueue=${tq.name}&status=failed`, {
      headers: { authorization: admin },
    });
    const q = (
      (await list.json()) as {
        queues: Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean }>;
      }
    ).queues.find((x) => x.name === tq.name)!;
    expect(q).toMatchObject({ readOnlyMode: false, allowRetries: true });

    const res = await fetch(`${api}/${job.buildName}/retry`, {
      method: 'PUT',
      headers: { authorization: admin, origin: url, 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(
      async () => (await state()) === 'completed',
      15_000,
      'the retried job to complete',
    );
    expect(attempts).toBe(2);
  });

  it('lets a script with the admin Bearer token act without browser headers', async () => {
    const res = await fetch(`${api}/${job.buildName}/clean`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(204);
    expect(await tq.buildQueue.bullmq.getJob(job.buildName)).toBeUndefined();
  });

  it('lets an admin pause and resume the queue (draining); a viewer cannot', async () => {
    const pause = (authorization: string) =>
      fetch(`${api}/pause`, { method: 'PUT', headers: { authorization } });
    expect((await pause(`Bearer ${VIEWER}`)).status).toBe(403);
    expect(await tq.buildQueue.bullmq.isPaused()).toBe(false);
    expect((await pause(`Bearer ${ADMIN}`)).status).toBe(200);
    expect(await tq.buildQueue.bullmq.isPaused()).toBe(true);
    const resume = await fetch(`${api}/resume`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(resume.status).toBe(200);
    expect(await tq.buildQueue.bullmq.isPaused()).toBe(false);
  });

  it('leaves other paths alone', async () => {
    const res = await fetch(`${url}/binder/admin/queuesX`);
    expect(res.status).toBe(418);
  });
});
