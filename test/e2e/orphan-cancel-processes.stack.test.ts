import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queue/index.js';
import {
  freePort,
  startCli,
  waitForOk,
  type CliProcess,
  type Sections,
} from '../helpers/cli-process.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';
import { sleep, slowDockerfile, ticks } from '../helpers/economy-helpers.js';

// Followers across api processes (issue 15, item 3): two `binderhub-ts api` processes and
// a runner, each its own process, one queue. A build followed through either api lives;
// it is cancelled once neither has a client, and an api killed (SIGKILL) while its client
// follows stops keeping it alive once its lease runs out.

const GRACE = 4;
const LEASE = 3;

describe('builds followed through several api processes', () => {
  const id = randomUUID().slice(0, 8);
  const procs: CliProcess[] = [];
  const repos: ServedGitRepo[] = [];
  const urls: string[] = [];
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const queue = new Queue(`builds-${id}`, { connection: redis, prefix: `test-${id}` });

  const state = async (build: string) => {
    const job = await queue.getJob(build);
    return job ? { state: await job.getState(), reason: job.failedReason } : undefined;
  };
  const waitFailed = async (build: string, ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if ((await state(build))?.state === 'failed') return Date.now();
      await sleep(200);
    }
    throw new Error(`${build} not failed within ${ms} ms: ${JSON.stringify(await state(build))}`);
  };
  /** Opens a stream through api `i` and resolves once the build printed `tick n`; `stop` leaves. */
  const follow = async (i: number, r: ServedGitRepo, n: number) => {
    const abort = new AbortController();
    let reached!: () => void;
    const at = new Promise<void>((resolve) => (reached = resolve));
    const done = readEventStream(
      `${urls[i]}build/git/${encodeURIComponent(r.url)}/HEAD?build_only=true`,
      {
        signal: abort.signal,
        onEvent: (e) => {
          if (ticks([e]).some((t) => t >= n)) reached();
        },
      },
    ).catch(() => undefined);
    await at;
    return { stop: async () => (abort.abort(), await done) };
  };
  const activeBuild = async () => {
    const jobs = await queue.getJobs(['active']);
    expect(jobs).toHaveLength(1);
    return String(jobs[0]!.id);
  };

  beforeAll(async () => {
    await requireStack();
    const common: Sections = {
      BuildQueue: { orphan_grace_seconds: GRACE, follower_lease_seconds: LEASE },
      Runner: { metrics_port: 0 },
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const api = await startCli('api', { ...common, BinderHub: { port } }, { id });
      procs.push(api);
      urls.push(`http://127.0.0.1:${port}/`);
      await waitForOk(`${urls[i]}versions`, api);
    }
    const runner = await startCli('runner', common, { id });
    procs.push(runner);
    for (let i = 0; i < 200 && !runner.output().includes('runner started'); i++) await sleep(100);
  }, 180_000);
  afterAll(async () => {
    for (const p of procs) await p.close();
    for (const r of repos) await r.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
  });

  it('keeps a build while a client of either api follows it, and cancels it once none does', async () => {
    const r = await serveGitRepo({ Dockerfile: slowDockerfile(randomUUID(), 90) });
    repos.push(r);
    const a = await follow(0, r, 2);
    const b = await follow(1, r, 2);
    const build = await activeBuild();
    const followers = await redis.zcard(
      `test-${id}:build:${build}:followers:${(await queue.getJob(build))!.data.requestedAt}`,
    );
    expect(followers).toBe(2); // one lease per api process
    await a.stop();
    await sleep((GRACE + 3) * 1000);
    expect((await state(build))?.state).toBe('active');
    await b.stop();
    const left = Date.now();
    const failedAt = await waitFailed(build, (GRACE + 20) * 1000);
    expect((failedAt - left) / 1000).toBeLessThan(GRACE + 5);
    expect((await state(build))?.reason).toMatch(/nobody was waiting/);
  }, 180_000);

  it('cancels a build whose only api process was killed, once its lease ran out', async () => {
    const r = await serveGitRepo({ Dockerfile: slowDockerfile(randomUUID(), 90) });
    repos.push(r);
    const c = await follow(1, r, 2);
    const build = await activeBuild();
    procs[1]!.child.kill('SIGKILL');
    const killed = Date.now();
    await c.stop();
    const failedAt = await waitFailed(build, (LEASE + GRACE + 20) * 1000);
    const after = (failedAt - killed) / 1000;
    process.stdout.write(`[economy] killed api: build cancelled ${after.toFixed(1)} s later\n`);
    expect(after).toBeGreaterThanOrEqual(GRACE);
    expect(after).toBeLessThan(LEASE + GRACE + 5);
  }, 180_000);
});
