import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueueMetrics } from '../../api/metrics/queue-metrics.js';
import { formatHeartbeat } from '../../queue/heartbeat/runner-heartbeat.js';
import { createLogger, createRedis } from '../../queue/index.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';
import { redisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { testJob, testQueue, waitFor, type TestQueue } from '../helpers/test-queue.js';

const log = createLogger({ level: 'silent' });

describe('queue metrics (api /metrics) from a real queue', () => {
  let tq: TestQueue;
  let registry: Registry;
  let now = Date.now();

  beforeAll(async () => {
    tq = testQueue();
    registry = new Registry();
    registerQueueMetrics({
      registry,
      buildQueue: tq.buildQueue,
      redis: tq.redis,
      runnersKey: tq.keys.runners(),
      heartbeatIntervalSeconds: 10,
      priorities: { interactive: 1, prebuild: 10 },
      log,
      now: () => now,
    });
  });
  afterAll(async () => tq?.close());

  const scrape = async () => parsePrometheusText(await registry.metrics());

  it('exports empty-queue values that parse strictly', async () => {
    const m = await scrape();
    expect(m.get('binderhub_ts_queue_jobs')?.type).toBe('gauge');
    for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed']) {
      expect(sampleValue(m, 'binderhub_ts_queue_jobs', { state })).toBe(0);
    }
    expect(sampleValue(m, 'binderhub_ts_runners', { state: 'live' })).toBe(0);
    expect(
      sampleValue(m, 'binderhub_ts_queue_oldest_waiting_seconds', { class: 'interactive' }),
    ).toBe(0);
  });

  it('counts waiting builds by priority class, the oldest wait, failures and runners', async () => {
    // One build fails for real, through a worker, before the others are queued.
    const failing = testJob('broken');
    const worker = tq.worker(async () => {
      throw new Error('build failed');
    });
    await tq.buildQueue.enqueue(failing);
    await waitFor(
      async () => (await tq.buildQueue.bullmq.getFailedCount()) === 1,
      10_000,
      'failure',
    );
    await worker.close();
    const t0 = Date.now();
    await tq.buildQueue.enqueue(testJob('push-a', { trigger: 'push' }));
    await tq.buildQueue.enqueue(testJob('launch-a'));
    await tq.buildQueue.enqueue(testJob('launch-b'));
    await tq.buildQueue.enqueue(testJob('push-b', { trigger: 'push' }));
    await tq.buildQueue.enqueue(testJob('push-c', { trigger: 'push' }));
    // Reading: pretend 90 s passed since the first job was added.
    now = t0 + 90_000;
    await tq.redis.hset(
      tq.keys.runners(),
      'runner-live',
      formatHeartbeat({ at: now - 5_000, active: 2 }),
    );
    await tq.redis.hset(
      tq.keys.runners(),
      'runner-dead',
      formatHeartbeat({ at: now - 600_000, active: 1 }),
    );
    await tq.redis.hset(tq.keys.runners(), 'garbage', 'not json');

    const m = await scrape();
    expect(sampleValue(m, 'binderhub_ts_queue_jobs', { state: 'prioritized' })).toBe(5);
    expect(sampleValue(m, 'binderhub_ts_queue_jobs', { state: 'failed' })).toBe(1);
    expect(
      sampleValue(m, 'binderhub_ts_queue_waiting_jobs', { class: 'interactive', priority: '1' }),
    ).toBe(2);
    expect(
      sampleValue(m, 'binderhub_ts_queue_waiting_jobs', { class: 'prebuild', priority: '10' }),
    ).toBe(3);
    const oldestInteractive = sampleValue(m, 'binderhub_ts_queue_oldest_waiting_seconds', {
      class: 'interactive',
    })!;
    const oldestPrebuild = sampleValue(m, 'binderhub_ts_queue_oldest_waiting_seconds', {
      class: 'prebuild',
    })!;
    expect(oldestInteractive).toBeGreaterThan(85);
    expect(oldestInteractive).toBeLessThanOrEqual(90);
    // push-a was added before launch-a, so the oldest pre-build has waited longer.
    expect(oldestPrebuild).toBeGreaterThanOrEqual(oldestInteractive);
    expect(sampleValue(m, 'binderhub_ts_runners', { state: 'live' })).toBe(1);
    expect(sampleValue(m, 'binderhub_ts_runners', { state: 'stale' })).toBe(1);
    expect(sampleValue(m, 'binderhub_ts_runner_active_builds', { runner: 'runner-live' })).toBe(2);
    expect(
      sampleValue(m, 'binderhub_ts_runner_active_builds', { runner: 'runner-dead' }),
    ).toBeUndefined();
    expect(
      sampleValue(m, 'binderhub_ts_runner_heartbeat_age_seconds', { runner: 'runner-dead' }),
    ).toBe(600);
  });
});

describe('queue metrics when Redis is gone', () => {
  let redis: RedisProcess;
  afterAll(async () => redis?.stop());

  it('exports no stale values and counts the failed reading; recovers when Redis is back', async () => {
    redis = await redisProcess();
    const tq = testQueue(redis.url);
    const registry = new Registry();
    const conn = createRedis(redis.url, 'command', { maxRetriesPerRequest: 1 });
    conn.on('error', () => undefined);
    registerQueueMetrics({
      registry,
      buildQueue: tq.buildQueue,
      redis: conn,
      runnersKey: tq.keys.runners(),
      heartbeatIntervalSeconds: 10,
      priorities: { interactive: 1, prebuild: 10 },
      log,
    });
    try {
      await tq.buildQueue.enqueue(testJob('r1'));
      let m = parsePrometheusText(await registry.metrics());
      expect(sampleValue(m, 'binderhub_ts_queue_jobs', { state: 'prioritized' })).toBe(1);
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1100)); // past the one-second reading cache
      m = parsePrometheusText(await registry.metrics());
      expect(sampleValue(m, 'binderhub_ts_queue_jobs', { state: 'prioritized' })).toBeUndefined();
      expect(sampleValue(m, 'binderhub_ts_queue_metrics_errors_total')).toBe(1);
      await redis.start();
      await waitFor(
        async () => {
          const text = await registry.metrics();
          return (
            sampleValue(parsePrometheusText(text), 'binderhub_ts_queue_jobs', {
              state: 'prioritized',
            }) === 0
          );
        },
        15_000,
        'metrics after Redis came back',
      );
    } finally {
      conn.disconnect();
      await tq.close().catch(() => undefined);
    }
  });
});
