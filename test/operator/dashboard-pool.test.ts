import type { Server } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRouter } from '../../api/dashboard/dashboard-router.js';
import { poolMetrics } from '../../api/pool/pool-metrics.js';
import type { PoolStatus } from '../../api/pool/pool-status.js';
import { PoolStore } from '../../api/pool/pool-store.js';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger } from '../../queue/index.js';
import { testQueue, type TestQueue } from '../helpers/test-queue.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const log = createLogger({ level: 'silent' });

// The pool's page on the operator dashboard, read from a real Redis.
describe('launch pool on the queue dashboard', () => {
  let tq: TestQueue;
  let server: Server;
  let page: string;

  beforeAll(async () => {
    tq = testQueue();
    const config = parseConfig({
      Dashboard: { viewer_token: VIEWER },
      LaunchPool: { specs: [{ spec: 'gh/org/<repo>/HEAD', size: 2 }] },
    });
    const store = new PoolStore(tq.redis, tq.keys);
    const metrics = poolMetrics(new Registry(), () => store.entries(), log);
    metrics.claims.inc({ outcome: 'hit' }, 3);
    metrics.claims.inc({ outcome: 'miss' });
    await store.setTargets({ 'img:1': 'gh/org/<repo>/HEAD' });
    const server1 = {
      user: 'u1',
      image: 'img:1',
      spec: 'gh/org/<repo>/HEAD',
      owner: 'o',
      startedAt: Date.now() - 5000,
    };
    await store.reserve(server1);
    await store.promote({
      ...server1,
      readyAt: Date.now(),
      info: { token: 'never-shown' } as never,
    });
    await store.reserve({ ...server1, user: 'u2' });
    const pool = { config: config.LaunchPool, store, metrics, topSpecs: async () => [] };
    const app = express();
    app.use(dashboardRouter({ config, buildQueue: tq.buildQueue, log, pool }));
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    page = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/admin/queues/pool`;
  });

  afterAll(async () => {
    server?.close();
    await deleteKeysUnder(tq.redis, tq.prefix);
    await tq?.close();
  });

  it('needs the dashboard credentials', async () => {
    const res = await fetch(page);
    expect(res.status).toBe(401);
  });

  it('shows each pooled spec, its servers and the counters, never a token', async () => {
    const auth = { authorization: `Bearer ${VIEWER}` };
    const json = await fetch(page, { headers: { ...auth, accept: 'application/json' } });
    const status = (await json.json()) as PoolStatus;
    expect(status.specs).toEqual([
      {
        spec: 'gh/org/<repo>/HEAD',
        images: ['img:1'],
        ready: 1,
        starting: 1,
        oldest_seconds: expect.any(Number) as number,
      },
    ]);
    expect(status.specs[0]!.oldest_seconds).toBeGreaterThanOrEqual(5);
    expect(status.counters).toMatchObject({ hits: 3, misses: 1 });
    const html = await fetch(page, { headers: auth });
    expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const text = await html.text();
    expect(text).toContain('<code>gh/org/&lt;repo&gt;/HEAD</code>');
    expect(text).not.toContain('never-shown');
    expect(JSON.stringify(status)).not.toContain('never-shown');
  });
});
