import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { parseHeartbeats } from '../../queue/heartbeat/runner-heartbeat.js';
import { createLogger } from '../../queue/index.js';
import { observerHooks } from '../../runners/metrics/observer-hooks.js';
import {
  startRunnerObservability,
  type RunnerObservability,
} from '../../runners/metrics/runner-observability.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';
import { testJob, testQueue, waitFor, type TestQueue } from '../helpers/test-queue.js';

const log = createLogger({ level: 'silent' });

describe("a runner's own /metrics, /health, heartbeat and build events", () => {
  let tq: TestQueue;
  let obs: RunnerObservability;
  let base: string;
  const events: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    tq = testQueue();
    const stdout = new PassThrough();
    let buffered = '';
    stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) events.push(JSON.parse(l) as Record<string, unknown>);
    });
    const config = parseConfig({
      Runner: { heartbeat_interval: 1 },
      EventLog: { sink: 'stdout' },
    });
    obs = await startRunnerObservability({
      config,
      redis: tq.redis,
      keys: tq.keys,
      log,
      runnerId: 'runner-test-1',
      host: '127.0.0.1',
      port: 0,
      stdout,
      defaultMetrics: true,
    });
    base = `http://127.0.0.1:${obs.server!.port}`;
  });

  afterAll(async () => {
    await obs?.close();
    await tq?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const beats = async () => parseHeartbeats(await tq.redis.hgetall(tq.keys.runners()));

  it("exports upstream's build series with upstream's buckets, plus process metrics", async () => {
    const m = await scrape();
    expect(m.get('binderhub_build_time_seconds')?.type).toBe('histogram');
    expect(m.get('binderhub_build_count')?.type).toBe('counter');
    expect(m.get('binderhub_inprogress_builds')?.type).toBe('gauge');
    expect(m.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    // Upstream's buckets appear once a status has been observed (next test).
  });

  it('heartbeats into the runners hash and is healthy', async () => {
    await waitFor(
      async () => (await beats()).some((b) => b.runner === 'runner-test-1'),
      5000,
      'beat',
    );
    const beat = (await beats()).find((b) => b.runner === 'runner-test-1')!;
    expect(Date.now() - beat.at).toBeLessThan(3000);
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      checks: [
        { service: 'Redis', ok: true },
        { service: 'Heartbeat', ok: true, last_beat_seconds_ago: expect.any(Number) },
      ],
    });
    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('counts a build through the processor hooks: in progress, then success, with events', async () => {
    const hooks = observerHooks(obs.observer);
    const job = testJob('hooked', { requestedAt: Date.now() - 2500 });
    hooks.onStart(job);
    await obs.heartbeat.beat();
    let m = await scrape();
    expect(sampleValue(m, 'binderhub_inprogress_builds')).toBe(1);
    expect((await beats()).find((b) => b.runner === 'runner-test-1')?.active).toBe(1);
    const waitCount = sampleValue(m, 'binderhub_ts_queue_wait_seconds_count', {
      trigger: 'launch',
    });
    expect(waitCount).toBe(1);
    expect(
      sampleValue(m, 'binderhub_ts_queue_wait_seconds_sum', { trigger: 'launch' }),
    ).toBeGreaterThanOrEqual(2.5);

    hooks.onEnd(job, 'success', 1);
    m = await scrape();
    expect(sampleValue(m, 'binderhub_inprogress_builds')).toBe(0);
    const labels = { status: 'success', provider: 'GitHub', repo: job.repoUrl };
    expect(sampleValue(m, 'binderhub_build_count', labels)).toBe(1);
    expect(sampleValue(m, 'binderhub_build_time_seconds_count', { status: 'success' })).toBe(1);
    const buckets = m
      .get('binderhub_build_time_seconds')!
      .samples.filter((s) => s.name.endsWith('_bucket') && s.labels.status === 'success')
      .map((s) => s.labels.le);
    expect(buckets).toEqual(['60', '120', '300', '600', '1800', '3600', '7200', '+Inf']);
    expect(events.map((e) => [e.schema, e.event, e.outcome])).toEqual([
      ['binderhub-ts/build', 'start', undefined],
      ['binderhub-ts/build', 'end', 'success'],
    ]);
    expect(events[0]).toMatchObject({ build_name: job.buildName, runner: 'runner-test-1' });
  });

  it('counts failures under a scrubbed repo label; cancelled builds are not failures', async () => {
    const hooks = observerHooks(obs.observer);
    const secret = testJob('secret', {
      repoUrl: 'https://user:hunter2-token@git.example.org/r.git',
    });
    hooks.onStart(secret);
    hooks.onEnd(secret, 'failure', 3, 'idle');
    const cancelled = testJob('cancelled');
    hooks.onStart(cancelled);
    hooks.onEnd(cancelled, 'failure', 1, 'cancelled');
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain('hunter2');
    const m = parsePrometheusText(text);
    expect(
      sampleValue(m, 'binderhub_build_count', {
        status: 'failure',
        provider: 'GitHub',
        repo: 'https://user:[secret]@git.example.org/r.git',
      }),
    ).toBe(1);
    expect(sampleValue(m, 'binderhub_build_time_seconds_count', { status: 'failure' })).toBe(1);
    expect(sampleValue(m, 'binderhub_inprogress_builds')).toBe(0);
    expect(events.slice(-1)[0]).toMatchObject({ event: 'end', outcome: 'cancelled' });
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('answers only /metrics and /health, and only to GET and HEAD', async () => {
    const other = await fetch(`${base}/nope`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: string }).error).toContain('/metrics');
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('on close, removes its heartbeat entry', async () => {
    await obs.close();
    expect((await beats()).map((b) => b.runner)).not.toContain('runner-test-1');
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
  });
});
