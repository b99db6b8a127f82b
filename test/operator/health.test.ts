import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthChecker } from '../../api/health/health-checker.js';
import { operatorHealthChecks } from '../../api/health/operator-checks.js';
import { hubCheck, redisCheck } from '../../api/health/standard-checks.js';
import { healthRouter } from '../../api/routes/health.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger, createRedis } from '../../queue/index.js';
import { startHeartbeat, type HeartbeatWriter } from '../../runners/metrics/heartbeat-writer.js';
import { freePort } from '../helpers/free-port.js';
import { redisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { testJob, testQueue, waitFor, type TestQueue } from '../helpers/test-queue.js';

const log = createLogger({ level: 'silent' });
const HUB_TOKEN = 'hub-token-for-health';

/**
 * The hub side of the check is a small real HTTP server this test starts and stops on a
 * fixed loopback port, answering GET /hub/api/ like JupyterHub does (200 with the
 * version, 403 with a wrong token). The shared stack's JupyterHub cannot be stopped
 * by one test without breaking the others.
 */
function hubServer(port: number) {
  let server: Server | undefined;
  return {
    url: `http://127.0.0.1:${port}/hub/api/`,
    start: () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          const ok = req.url === '/hub/api/' && req.headers.authorization === `token ${HUB_TOKEN}`;
          res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { version: '5.3.0' } : { status: 403 }));
        });
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
}

interface Report {
  ok: boolean;
  checks: Array<{ service: string; ok: boolean; [k: string]: unknown }>;
}

describe('/health with real Redis (started and stopped by the test) and a hub server', () => {
  let redis: RedisProcess;
  let hub: ReturnType<typeof hubServer>;
  let tq: TestQueue;
  let heartbeat: HeartbeatWriter;
  let api: Server;
  let url: string;
  const conns: Array<{ disconnect(): void }> = [];

  beforeAll(async () => {
    redis = await redisProcess();
    hub = hubServer(await freePort());
    await hub.start();
    tq = testQueue(redis.url);
    const config = parseConfig({ Runner: { heartbeat_interval: 1 } });
    const command = createRedis(redis.url, 'command');
    command.on('error', () => undefined);
    conns.push(command);
    heartbeat = startHeartbeat({
      redis: command,
      key: tq.keys.runners(),
      runnerId: 'health-runner',
      intervalSeconds: 1,
      active: () => 0,
      log,
    });
    const checker = new HealthChecker(
      [
        hubCheck(hub.url, HUB_TOKEN),
        redisCheck(command),
        ...operatorHealthChecks({
          config,
          redis: command,
          runnersKey: tq.keys.runners(),
          buildQueue: tq.buildQueue,
        }),
      ],
      { cacheMs: 200, timeoutMs: 3000 },
    );
    const app = express();
    app.use(healthRouter(checker));
    await new Promise<void>((resolve) => {
      api = app.listen(0, '127.0.0.1', () => resolve());
    });
    const address = api.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health`;
  });

  afterAll(async () => {
    api?.close();
    await heartbeat?.stop();
    await tq?.close().catch(() => undefined);
    for (const c of conns) c.disconnect();
    await hub?.stop();
    await redis?.stop();
  });

  const get = async () => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as Report };
  };
  const check = (r: Report, service: string) => r.checks.find((c) => c.service === service);
  const until = (status: number, what: string) =>
    waitFor(async () => (await get()).status === status, 20_000, what);

  it('is 200 with every check ok while everything runs (GET and HEAD)', async () => {
    await until(200, 'healthy start');
    const { body } = await get();
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => [c.service, c.ok])).toEqual([
      ['JupyterHub API', true],
      ['Redis', true],
      ['Build runners', true],
      ['Build queue', true],
    ]);
    expect(check(body, 'Build runners')).toMatchObject({ live: 1 });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('goes 503 when Redis stops, and back to 200 when it is restarted', async () => {
    await redis.stop();
    await until(503, '503 after Redis stopped');
    const { body } = await get();
    expect(body.ok).toBe(false);
    expect(check(body, 'Redis')?.ok).toBe(false);
    expect(check(body, 'JupyterHub API')?.ok).toBe(true);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(503);

    await redis.start(); // empty (no persistence): the runner's next heartbeat refills it
    await until(200, '200 after Redis restarted');
    expect((await get()).body.checks.every((c) => c.ok)).toBe(true);
  });

  it('goes 503 when the hub stops, and back to 200 when it is restarted', async () => {
    await hub.stop();
    await until(503, '503 after the hub stopped');
    const { body } = await get();
    expect(check(body, 'JupyterHub API')?.ok).toBe(false);
    expect(check(body, 'Redis')?.ok).toBe(true);
    await hub.start();
    await until(200, '200 after the hub restarted');
  });

  it('goes 503 when no runner is live any more', async () => {
    await heartbeat.stop();
    await until(503, '503 without a runner');
    const { body } = await get();
    expect(check(body, 'Build runners')).toMatchObject({ ok: false, live: 0 });
  });
});

describe('queue backlog and runner checks, on their own', () => {
  let tq: TestQueue;
  beforeAll(() => {
    tq = testQueue();
  });
  afterAll(async () => tq?.close());

  it('fail past Health.max_queue_backlog or max_queue_wait; an optional runner check never fails /health', async () => {
    const config = parseConfig({
      Health: { max_queue_backlog: 3, max_queue_wait: 60, require_live_runner: false },
    });
    let now = Date.now();
    const checker = (n: () => number) =>
      new HealthChecker(
        operatorHealthChecks({
          config,
          redis: tq.redis,
          runnersKey: tq.keys.runners(),
          buildQueue: tq.buildQueue,
          now: n,
        }),
        { cacheMs: 0, timeoutMs: 3000 },
      );
    for (const name of ['p1', 'p2', 'p3']) {
      await tq.buildQueue.enqueue(testJob(name, { trigger: 'push' }));
    }
    let report = await checker(() => now).report();
    expect(report.ok).toBe(true); // no runner, but it is not required
    expect(report.checks[0]).toMatchObject({
      service: 'Build runners',
      ok: false,
      _ignore_failure: true,
    });
    expect(report.checks[1]).toMatchObject({ service: 'Build queue', ok: true, waiting: 3 });

    await tq.buildQueue.enqueue(testJob('l1'));
    report = await checker(() => now).report();
    expect(report.checks[1]).toMatchObject({ ok: false, waiting: 4 });

    await tq.buildQueue.bullmq.remove('build-p1');
    report = await checker(() => now).report();
    expect(report.checks[1]).toMatchObject({ ok: true, waiting: 3 });
    now += 61_000; // the interactive build has now waited more than a minute
    report = await checker(() => now).report();
    expect(report.ok).toBe(false);
    expect(report.checks[1]).toMatchObject({ ok: false, oldest_interactive_wait_seconds: 61 });
  });
});
