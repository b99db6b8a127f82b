import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queue/index.js';
import { followLikeBrowser, ticksOf, type FollowedBuild } from '../helpers/browser-like-client.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { reportRecovery } from './report-recovery.js';

// Redis restarted (3 s down, AOF on) or killed (5 s) in the middle of a build, with
// clients following it as browsers do. Real processes: redis-server (the test's own),
// binderhub-ts api and runner, the stack's Docker engine and registry, a git server.

const TICKS = 16;
const slowDockerfile = () =>
  [
    'FROM binderhub-ts/jupyter-base:1',
    `RUN echo "run ${randomUUID()}" && for i in $(seq 1 ${TICKS}); do echo "tick $i"; sleep 1; done`,
    '',
  ].join('\n');
const CLIENTS = 3;
/** What the issue asks: the terminal event at most this long after the fault ended. */
const RECOVERY_BOUND_MS = 60_000;

/** Keys of the test's prefix that would outlive the build (no TTL), BullMQ's own aside. */
async function keysWithoutTtl(url: string, prefix: string): Promise<string[]> {
  const redis = createRedis(url, 'command');
  try {
    const keys = await redis.keys(`${prefix}:build:*`);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    return keys.filter((_, i) => ttls[i] === -1);
  } finally {
    redis.disconnect();
  }
}

interface Outcome {
  clients: FollowedBuild[];
  faultEndedAt: number;
  env: FaultEnv;
}

async function buildThroughOutage(
  redis: OwnRedis,
  repo: ServedGitRepo,
  signal: 'SIGTERM' | 'SIGKILL',
  downMs: number,
): Promise<Outcome> {
  const env = await startFaultEnv({ redisUrl: redis.url });
  const url = `${env.url}build/git/${encodeURIComponent(repo.url)}/HEAD?build_only=true`;
  let fault: Promise<number> | undefined;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () =>
      followLikeBrowser(url, {
        onEvent: (e) => {
          if (!fault && ticksOf([e]).some((t) => t >= 5)) fault = redis.outage(signal, downMs);
        },
      }),
    ),
  );
  return { clients, faultEndedAt: await fault!, env };
}

/** The longest time, over the clients, from the end of the fault to their next event. */
function resumed(o: Outcome): number {
  const after = o.clients.map(
    (c) => (c.times.find((t) => t > o.faultEndedAt) ?? Infinity) - o.faultEndedAt,
  );
  return Math.max(...after);
}

function expectEveryLineOnce(o: Outcome, label: string): number {
  let worst = 0;
  for (const c of o.clients) {
    expect(c.terminal?.phase, JSON.stringify(c.terminal?.data)).toBe('ready');
    expect(ticksOf(c.events)).toEqual(Array.from({ length: TICKS }, (_, i) => i + 1));
    expect(c.events.filter((e) => e.message === 'Waiting for build to start...\n')).toHaveLength(1);
    worst = Math.max(worst, c.terminalAt! - o.faultEndedAt);
  }
  expect(worst).toBeLessThan(RECOVERY_BOUND_MS);
  reportRecovery(`${label}: events flowing again after Redis was back`, resumed(o));
  reportRecovery(`${label}: terminal event after Redis was back (the build went on)`, worst);
  expect(o.env.runner.output()).toMatch(/Redis unavailable: retrying/);
  expect(o.env.repo2dockerRuns()).toBe(1);
  expect(o.env.pushes()).toBe(1);
  return worst;
}

describe.concurrent('a Redis outage in the middle of a build', () => {
  const redises: OwnRedis[] = [];
  const repos: ServedGitRepo[] = [];
  const envs: FaultEnv[] = [];
  beforeAll(async () => {
    await requireStack();
  });
  afterAll(async () => {
    for (const e of envs) await e.close();
    for (const r of redises) await r.close();
    for (const r of repos) await r.close();
  });

  const scenario = async (signal: 'SIGTERM' | 'SIGKILL', downMs: number, label: string) => {
    const redis = await startOwnRedis();
    redises.push(redis);
    const repo = await serveGitRepo({ Dockerfile: slowDockerfile() });
    repos.push(repo);
    const o = await buildThroughOutage(redis, repo, signal, downMs);
    envs.push(o.env);
    expectEveryLineOnce(o, label);
    expect(await keysWithoutTtl(redis.url, o.env.keyPrefix)).toEqual([]);
    expect(o.env.runner.output()).not.toMatch(/"msg":"build failed"/);
  };

  it(
    'restarted (3 s down, AOF): every client sees every line once, one build, one push',
    () => scenario('SIGTERM', 3000, 'Redis restarted'),
    240_000,
  );

  it(
    'killed (SIGKILL, 5 s down): every client sees every line once, one build, one push',
    () => scenario('SIGKILL', 5000, 'Redis killed'),
    240_000,
  );
});
