import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
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
/** On the tiny image: the Jupyter base would push ~500 MB to the env's new registry port. */
const slowDockerfile = (base: string) =>
  [
    `FROM ${base}`,
    `RUN echo "run ${randomUUID()}" && for i in $(seq 1 ${TICKS}); do echo "tick $i"; sleep 1; done`,
    '',
  ].join('\n');
const CLIENTS = 3;
/**
 * What the issue asks: the terminal event at most this long after the fault ended; also
 * checked without the push's upload, the engine's time and not the product's (on the
 * Jupyter base it uploaded the whole ~500 MB layer to the env's new registry port, 20–45 s
 * under load; the tiny image's push is about a second).
 */
const RECOVERY_BOUND_MS = 60_000;
/** Redis back → the next event at every client (measured: 0.2–0.3 s). */
const RESUME_BOUND_MS = 10_000;
/** repo2docker's last line → the push's first, and the push's last → the terminal event. */
const HANDOVER_BOUND_MS = 10_000;

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
  env: FaultEnv,
  redis: OwnRedis,
  repo: ServedGitRepo,
  signal: 'SIGTERM' | 'SIGKILL',
  downMs: number,
): Promise<Outcome> {
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

/** One client's view of the build after the fault, from the times its events arrived. */
interface ClientTimeline {
  /** Redis back → the client's next event. */
  resumed: number;
  /** repo2docker's last line → the push's first line (the runner saw the run end). */
  buildToPush: number;
  /** The push's first line → its last: the engine compressing and uploading the image. */
  upload: number;
  /** The push's last line → the terminal event (`built` published, relayed, `ready`). */
  pushToTerminal: number;
  /** Redis back → the terminal event. */
  terminal: number;
}

function timelineOf(c: FollowedBuild, faultEndedAt: number): ClientTimeline {
  const at = (i: number) => c.times[i] ?? NaN;
  const firstPush = c.events.findIndex((e) => e.phase === 'pushing');
  const lastPush = c.events.findLastIndex((e) => e.phase === 'pushing');
  expect(firstPush, 'no pushing event').toBeGreaterThan(0);
  return {
    resumed: (c.times.find((t) => t > faultEndedAt) ?? Infinity) - faultEndedAt,
    buildToPush: at(firstPush) - at(firstPush - 1),
    upload: at(lastPush) - at(firstPush),
    pushToTerminal: c.terminalAt! - at(lastPush),
    terminal: c.terminalAt! - faultEndedAt,
  };
}

/** The worst of each measure over the clients. */
function worstOf(timelines: ClientTimeline[]): ClientTimeline {
  const worst = (k: keyof ClientTimeline) => Math.max(...timelines.map((t) => t[k]));
  return {
    resumed: worst('resumed'),
    buildToPush: worst('buildToPush'),
    upload: worst('upload'),
    pushToTerminal: worst('pushToTerminal'),
    terminal: worst('terminal'),
  };
}

function expectEveryLineOnce(o: Outcome, label: string): void {
  for (const c of o.clients) {
    expect(c.terminal?.phase, JSON.stringify(c.terminal?.data)).toBe('ready');
    expect(ticksOf(c.events)).toEqual(Array.from({ length: TICKS }, (_, i) => i + 1));
    expect(c.events.filter((e) => e.message === 'Waiting for build to start...\n')).toHaveLength(1);
    // The push went through at its first attempt: no retry (and its backoff) in the upload.
    expect(c.events.filter((e) => e.message?.startsWith('Pushing failed'))).toEqual([]);
  }
  const t = worstOf(o.clients.map((c) => timelineOf(c, o.faultEndedAt)));
  const load = loadavg()[0]!.toFixed(1);
  reportRecovery(`${label}: events flowing again after Redis was back`, t.resumed);
  reportRecovery(`${label}: repo2docker's last line → push started`, t.buildToPush);
  reportRecovery(`${label}: push upload (the engine; load ${load})`, t.upload);
  reportRecovery(`${label}: push's last line → terminal event`, t.pushToTerminal);
  reportRecovery(`${label}: terminal event after Redis was back (the build went on)`, t.terminal);
  expect(t.resumed).toBeLessThan(RESUME_BOUND_MS);
  expect(t.buildToPush).toBeLessThan(HANDOVER_BOUND_MS);
  expect(t.pushToTerminal).toBeLessThan(HANDOVER_BOUND_MS);
  expect(t.terminal).toBeLessThan(RECOVERY_BOUND_MS);
  expect(t.terminal - t.upload).toBeLessThan(RECOVERY_BOUND_MS);
  // The runner's own `built` ended the streams, not the api's check of a silent build.
  expect(o.env.api.output()).not.toMatch(/the build ended without a final event/);
  expect(o.env.runner.output()).toMatch(/Redis unavailable: retrying/);
  expect(o.env.repo2dockerRuns()).toBe(1);
  expect(o.env.pushes()).toBe(1);
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
    const env = await startFaultEnv({ redisUrl: redis.url });
    envs.push(env);
    const repo = await serveGitRepo({ Dockerfile: slowDockerfile(env.tinyImage) });
    repos.push(repo);
    const o = await buildThroughOutage(env, redis, repo, signal, downMs);
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
