import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queue/index.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { followLikeBrowser, ticksOf } from '../helpers/browser-like-client.js';
import { pushMinimalImage } from '../helpers/registry-server.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { reportRecovery } from './report-recovery.js';

// A build whose job ended without its final event (the event was lost while Redis was
// down, the job was lost with its runner): every follower still gets an end, and a
// reload re-attaches to the repo2docker still running instead of starting a second.

const s = stackInfo();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WAITING = 'Waiting for build to start...\n';

/** The job of the one build queued on `h` (polls until it appears). */
async function queuedJob(h: Harness) {
  const queue = h.api.runtime.deps.buildQueue.bullmq;
  for (let i = 0; i < 100; i++) {
    const [job] = await queue.getJobs(['prioritized', 'waiting']);
    if (job) return job;
    await sleep(100);
  }
  throw new Error('no job was queued');
}

describe('a job that ends without its final event', () => {
  let h: Harness;
  const repos: ServedGitRepo[] = [];
  const repo = async () => {
    const r = await serveGitRepo({ Dockerfile: `FROM scratch\nLABEL x="${randomUUID()}"\n` });
    repos.push(r);
    return `${h.url}build/git/${encodeURIComponent(r.url)}/HEAD?build_only=true`;
  };
  beforeAll(async () => {
    await requireStack();
    // No runner: jobs wait until the test takes them away.
    h = await startHarness({ runner: false, config: { BuildQueue: { follow_check_interval: 1 } } });
  });
  afterAll(async () => {
    for (const r of repos) await r.close();
    await h?.close();
  });

  it('ends every follower with `failed` saying so; a resumed client is not told to wait again', async () => {
    const url = await repo();
    const first = readEventStream(url);
    const job = await queuedJob(h);
    const resumed = readEventStream(url, { headers: { 'last-event-id': '1-0' } });
    await sleep(300);
    const lostAt = Date.now();
    await job.remove();
    const [a, b] = await Promise.all([first, resumed]);
    for (const r of [a, b]) {
      const last = r.events.at(-1)!;
      expect(last.phase).toBe('failed');
      expect(last.message).toMatch(/stopped without reporting its result.*Reload the page/);
    }
    expect(a.events.filter((e) => e.message === WAITING)).toHaveLength(1);
    expect(b.events.filter((e) => e.message === WAITING)).toHaveLength(0);
    reportRecovery('job lost without its final event: followers told', Date.now() - lostAt);
  });

  it('ends with the image when it was pushed after all', async () => {
    const url = await repo();
    const stream = readEventStream(url);
    const job = await queuedJob(h);
    const image = job.data.image.replace(/^127\.0\.0\.1:5000\//, '');
    const [name, tag] = [
      image.slice(0, image.lastIndexOf(':')),
      image.slice(image.lastIndexOf(':') + 1),
    ];
    await pushMinimalImage(s.registryUrl, name, tag);
    await job.remove();
    const last = (await stream).events.at(-1)!;
    expect(last.phase, JSON.stringify(last.data)).toBe('ready');
    expect(last.message).toBe('Done! Image built\n');
  });
});

describe('a build queued again while its repo2docker still runs', () => {
  let env: FaultEnv;
  let repo: ServedGitRepo;
  let workDir: string;
  /**
   * The run must outlast the reload: the runner is killed at tick 3, its job's lock
   * expires (up to the runner's 10 s), the first client is told (follow_check_interval
   * 2 s), a runner starts, the reload comes: 8.6 s after tick 3 at load 3–5, more under
   * load. 30 ticks end 27 s after tick 3; 14 (enough on the Jupyter base) had ended
   * before the reload on the tiny image.
   */
  const TICKS = 30;
  beforeAll(async () => {
    await requireStack();
    workDir = await mkdtemp(join(tmpdir(), 'bhts-shared-builds-'));
    env = await startFaultEnv({ workDir, config: { BuildQueue: { follow_check_interval: 2 } } });
    repo = await serveGitRepo({
      Dockerfile: `FROM ${env.tinyImage}\nRUN echo "${randomUUID()}" && for i in $(seq 1 ${TICKS}); do echo "tick $i"; sleep 1; done\n`,
    });
  });
  afterAll(async () => {
    await env?.close();
    await repo?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('re-attaches to the running build: one repo2docker, one push, every line once', async () => {
    const url = `${env.url}build/git/${encodeURIComponent(repo.url)}/HEAD?build_only=true`;
    const redis = createRedis(s.redisUrl, 'command');
    const queue = new Queue(env.api.config.BuildQueue!.name!, {
      connection: redis,
      prefix: env.keyPrefix,
    });
    let lost: Promise<void> | undefined;
    try {
      // The runner dies at tick 3 and its job is lost (as if Redis had lost it).
      const first = await followLikeBrowser(url, {
        onEvent: (e) => {
          if (lost || !ticksOf([e]).includes(3)) return;
          env.runner.child.kill('SIGKILL');
          lost = (async () => {
            const [job] = await queue.getJobs(['active']);
            while ((await queue.remove(job!.id!)) === 0) await sleep(500); // its lock expires
          })();
        },
      });
      await lost;
      expect(first.terminal?.phase).toBe('failed');
      expect(first.terminal?.message).toMatch(/Reload the page/);
      // A reload: the job is queued again, and a new runner finds the build still running.
      await env.startRunner();
      const reload = await followLikeBrowser(url);
      expect(reload.terminal?.phase, JSON.stringify(reload.terminal?.data)).toBe('ready');
      expect(ticksOf(reload.events)).toEqual(Array.from({ length: TICKS }, (_, i) => i + 1));
      expect(env.runnerOutput()).toMatch(/re-attaching to a build that is still running/);
      expect(env.repo2dockerRuns()).toBe(1);
      expect(env.pushes()).toBe(1);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 180_000);
});
