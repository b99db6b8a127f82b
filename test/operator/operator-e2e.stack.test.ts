import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueueMetrics } from '../../api/metrics/queue-metrics.js';
import { createRedis, keyNames } from '../../queue/index.js';
import { createBackend } from '../../runners/create-backend.js';
import { observerHooks } from '../../runners/metrics/observer-hooks.js';
import {
  startRunnerObservability,
  type RunnerObservability,
} from '../../runners/metrics/runner-observability.js';
import { startRunner, type Runner } from '../../runners/runner.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { launchChromium, loopbackPage } from '../helpers/browser.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

// Against the real local stack: a git repo served on loopback, the api with the dashboard
// mounted by createApp, a runner (docker backend, repo2docker) with its observability
// started as the CLI does, the registry, and JupyterHub.

const ADMIN = 'e2e-admin-token-0123456789';
const VIEWER = 'e2e-viewer-token-0123456789';
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-artifacts',
  'operator',
);

describe('the operator view of a real build and launch', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let runner: Runner;
  let obs: RunnerObservability;
  let runnerMetrics: string;
  const buildEvents: Array<Record<string, unknown>> = [];
  const launched: string[] = [];
  let launchLog: string;

  beforeAll(async () => {
    await requireStack();
    launchLog = path.join(await mkdtemp(path.join(tmpdir(), 'bhts-launch-events-')), 'l.jsonl');
    h = await startHarness({
      runner: false,
      config: {
        Dashboard: { admin_token: ADMIN, viewer_token: VIEWER },
        EventLog: { sink: 'file', path: launchLog },
      },
    });
    const { config, log } = h;
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => {
      for (const line of c.toString().split('\n').filter(Boolean))
        buildEvents.push(JSON.parse(line) as Record<string, unknown>);
    });
    const runnerRedis = createRedis(config.Redis.url, 'command');
    obs = await startRunnerObservability({
      config: { ...config, EventLog: { sink: 'stdout', path: '', build_events: true } },
      redis: runnerRedis,
      keys: keyNames(config.Redis.key_prefix),
      log,
      host: '127.0.0.1',
      port: 0,
      stdout,
    });
    const close = obs.close.bind(obs);
    obs.close = async () => {
      await close();
      runnerRedis.disconnect();
    };
    runnerMetrics = `http://127.0.0.1:${obs.server!.port}/metrics`;
    runner = startRunner({
      config,
      backend: await createBackend(config, log),
      log,
      hooks: observerHooks(obs.observer),
    });
    // The queue series, on the api's registry (a no-op once createApiDeps registers them).
    const deps = h.api.runtime.deps;
    registerQueueMetrics({
      registry: deps.metrics.registry,
      buildQueue: deps.buildQueue,
      redis: deps.redis,
      runnersKey: keyNames(config.Redis.key_prefix).runners(),
      heartbeatIntervalSeconds: config.Runner.heartbeat_interval,
      priorities: {
        interactive: config.BuildQueue.interactive_priority,
        prebuild: config.BuildQueue.prebuild_priority,
      },
      log,
    });
    repo = await serveGitRepo({
      Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "operator e2e"\n',
    });
  }, 180_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url).catch(() => undefined);
    await runner?.close(true);
    await obs?.close();
    await repo?.close();
    await h?.close();
    await rm(path.dirname(launchLog), { recursive: true, force: true });
  });

  const apiMetrics = async () => parsePrometheusText(await (await fetch(`${h.url}metrics`)).text());
  const runnerScrape = async () => parsePrometheusText(await (await fetch(runnerMetrics)).text());

  it('counters move with a real build and launch; both scrapes parse strictly', async () => {
    const repoLabels = { provider: 'Git', repo: repo.url };
    const before = await apiMetrics();
    expect(
      sampleValue(before, 'binderhub_launch_count', { status: 'success', ...repoLabels }),
    ).toBeUndefined();
    expect(
      sampleValue(await runnerScrape(), 'binderhub_build_count', {
        status: 'success',
        ...repoLabels,
      }),
    ).toBeUndefined();

    const { events } = await readEventStream(
      `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`,
    );
    const ready = events[events.length - 1]!;
    expect(ready.phase, JSON.stringify(events.slice(-3))).toBe('ready');
    launched.push(String(ready.data.url));

    const r = await runnerScrape();
    expect(sampleValue(r, 'binderhub_build_count', { status: 'success', ...repoLabels })).toBe(1);
    expect(sampleValue(r, 'binderhub_build_time_seconds_count', { status: 'success' })).toBe(1);
    expect(
      sampleValue(r, 'binderhub_build_time_seconds_sum', { status: 'success' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(r, 'binderhub_inprogress_builds')).toBe(0);
    expect(sampleValue(r, 'binderhub_ts_queue_wait_seconds_count', { trigger: 'launch' })).toBe(1);

    const a = await apiMetrics();
    expect(sampleValue(a, 'binderhub_launch_count', { status: 'success', ...repoLabels })).toBe(1);
    expect(
      sampleValue(a, 'binderhub_launch_time_seconds_count', { status: 'success', retries: '0' }),
    ).toBe(1);
    expect(sampleValue(a, 'binderhub_inprogress_launches')).toBe(0);
    expect(sampleValue(a, 'binderhub_ts_queue_jobs', { state: 'completed' })).toBe(1);
    expect(sampleValue(a, 'binderhub_ts_runners', { state: 'live' })).toBe(1);
    expect(sampleValue(a, 'binderhub_ts_runner_active_builds', { runner: obs.runnerId })).toBe(0);

    expect(buildEvents.map((e) => [e.event, e.outcome])).toEqual([
      ['start', undefined],
      ['end', 'success'],
    ]);
    expect(buildEvents[1]).toMatchObject({
      provider: 'Git',
      repo_url: repo.url,
      trigger: 'launch',
    });
    // The api's launch event says a build was needed and how long build and launch took.
    const [launch] = (await readFile(launchLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(launch).toMatchObject({ version: 6, build_needed: true, pooled: false });
    expect(launch!.build_seconds).toBeGreaterThan(0);
    expect(launch!.launch_seconds).toBeGreaterThan(0);
    expect(launch!.total_seconds).toBeGreaterThanOrEqual(
      launch!.build_seconds! + launch!.launch_seconds!,
    );
  }, 600_000);

  it('shows the build in the dashboard mounted by createApp, to a viewer, read-only', async () => {
    const auth = `Basic ${Buffer.from(`viewer:${VIEWER}`).toString('base64')}`;
    expect((await fetch(`${h.url}admin/queues/`)).status).toBe(401);
    const res = await fetch(
      `${h.url}admin/queues/api/queues?activeQueue=${h.config.BuildQueue.name}&status=completed`,
      { headers: { authorization: auth } },
    );
    expect(res.status).toBe(200);
    const q = (
      (await res.json()) as {
        queues: Array<{
          name: string;
          readOnlyMode: boolean;
          jobs: Array<{ name: string; data: Record<string, unknown> }>;
        }>;
      }
    ).queues.find((x) => x.name === h.config.BuildQueue.name)!;
    expect(q.readOnlyMode).toBe(true);
    expect(q.jobs).toHaveLength(1);
    expect(q.jobs[0]!.name).toBe(
      `git/${encodeURIComponent(repo.url)}/HEAD@${repo.sha.slice(0, 12)}`,
    );
    expect(q.jobs[0]!.data).toMatchObject({ trigger: 'launch', provider: 'Git (git)' });
  });

  it('Chromium logs into the dashboard and sees the real job (screenshot kept)', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const { page, context, blocked } = await loopbackPage(browser, {
        viewport: { width: 1280, height: 900 },
        httpCredentials: { username: 'operator', password: ADMIN },
      });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      const queue = h.config.BuildQueue.name;
      const res = await page.goto(`${h.url}admin/queues/queue/${queue}?status=completed`);
      expect(res?.status()).toBe(200);
      const jobName = `git/${encodeURIComponent(repo.url)}/HEAD@${repo.sha.slice(0, 12)}`;
      await page.getByText(jobName).first().waitFor({ timeout: 30_000 });
      await page.getByText('admin', { exact: true }).first().waitFor({ timeout: 10_000 });
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({
        path: path.join(ARTIFACTS, 'dashboard-completed-job.png'),
        fullPage: true,
      });
      // The dashboard works under its strict CSP with no request leaving the machine
      // (bull-board's page links a web font; the CSP refuses it, so it is never fetched).
      expect(blocked).toEqual([]);
      expect(
        errors.filter(
          (e) => !/fonts\.googleapis\.com|Content Security Policy.*font|stylesheet/i.test(e),
        ),
      ).toEqual([]);
      await context.close();
    } finally {
      await browser?.close();
    }
  }, 120_000);
});
