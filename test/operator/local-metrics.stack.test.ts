import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queue/index.js';
import {
  freePort,
  listening,
  startCli,
  waitForOk,
  type CliProcess,
} from '../helpers/cli-process.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

// The real CLI in child processes against the local stack: `local` (api and runner in one
// process) serves the api's and the build series on one /metrics and opens no runner
// port; `runner` alone keeps its own /metrics on Runner.metrics_port.

const BUILD_SERIES = [
  'binderhub_build_time_seconds',
  'binderhub_build_count',
  'binderhub_inprogress_builds',
  'binderhub_ts_queue_wait_seconds',
];
const API_SERIES = ['binderhub_launch_time_seconds', 'binderhub_ts_queue_jobs'];

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text()); // throws on duplicate families or series
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

describe('one /metrics per process', () => {
  const started: CliProcess[] = [];
  let repo: ServedGitRepo;

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "metrics ${randomUUID()}"\n`,
    });
  });
  afterAll(async () => {
    for (const cli of started) {
      await cli.close();
      await deleteKeys(cli.keyPrefix);
    }
    await repo?.close();
  });

  it('local: the api port serves the build series after a build; no runner port', async () => {
    const [apiPort, runnerPort] = [await freePort(), await freePort()];
    const cli = await startCli('local', {
      BinderHub: { port: apiPort },
      Runner: { metrics_port: runnerPort },
    });
    started.push(cli);
    const base = `http://127.0.0.1:${apiPort}/`;
    await waitForOk(`${base}versions`, cli);

    const url = `${base}build/git/${encodeURIComponent(repo.url)}/main?build_only=true`;
    const { events } = await readEventStream(url);
    expect(events.at(-1)?.phase, JSON.stringify(events.at(-1))).toBe('ready');

    const m = await scrape(`${base}metrics`);
    for (const name of [...BUILD_SERIES, ...API_SERIES, 'process_cpu_user_seconds_total']) {
      expect(m.has(name), name).toBe(true);
    }
    expect(sampleValue(m, 'binderhub_build_time_seconds_count', { status: 'success' })).toBe(1);
    const counted = m.get('binderhub_build_count')!.samples;
    expect(counted).toEqual([
      expect.objectContaining({
        labels: { status: 'success', provider: 'Git', repo: repo.url },
        value: 1,
      }),
    ]);
    expect(sampleValue(m, 'binderhub_inprogress_builds')).toBe(0);
    expect(await listening(runnerPort)).toBe(false);
  }, 300_000);

  it('runner alone: its own /metrics on Runner.metrics_port, the build series only', async () => {
    const runnerPort = await freePort();
    const cli = await startCli('runner', { Runner: { metrics_port: runnerPort } });
    started.push(cli);
    await waitForOk(`http://127.0.0.1:${runnerPort}/metrics`, cli);
    const m = await scrape(`http://127.0.0.1:${runnerPort}/metrics`);
    for (const name of BUILD_SERIES) expect(m.has(name), name).toBe(true);
    for (const name of API_SERIES) expect(m.has(name), name).toBe(false);
  }, 120_000);
});
