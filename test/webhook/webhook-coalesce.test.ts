import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type BuildJob } from '../../queue/index.js';
import { deliver, pushPayload, randomSha } from './github-deliveries.js';
import { SECRET, startWebhookApp, type WebhookApp } from './webhook-app.js';

/**
 * Coalescing with a real BullMQ Worker (concurrency 2, so a second build COULD start):
 * its processor blocks on the first job, so that one stays active while 50 pushes arrive.
 */
describe('GitHub webhook: a burst of pushes to one repository', () => {
  let app: WebhookApp;
  let worker: Worker<BuildJob>;
  const started: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));

  beforeAll(async () => {
    app = await startWebhookApp({ promotePollMs: 50 });
    const c = app.config;
    worker = new Worker<BuildJob>(
      c.BuildQueue.name,
      async (job: Job<BuildJob>) => {
        started.push(job.data.ref);
        if (started.length === 1) await gate;
        return { image: job.data.image, durationMs: 1 };
      },
      {
        connection: createRedis(c.Redis.url, 'worker'),
        prefix: c.Redis.key_prefix,
        concurrency: 2,
      },
    );
  });
  afterAll(async () => {
    release?.();
    await worker?.close();
    await app?.close();
  });

  async function byState() {
    const q = app.deps.buildQueue.bullmq;
    const refs = async (
      states: Array<'active' | 'waiting' | 'prioritized' | 'delayed' | 'completed'>,
    ) => (await q.getJobs(states)).map((j) => j.data.ref);
    return {
      running: await refs(['active']),
      pending: await refs(['waiting', 'prioritized', 'delayed']),
      completed: await refs(['completed']),
    };
  }

  async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('keeps at most one running and one pending build, the pending one for the last push', async () => {
    const repo = `burst-${randomUUID().slice(0, 8)}/notebooks`;
    const shas = Array.from({ length: 50 }, () => randomSha());
    const first = await deliver(app.hookUrl, {
      payload: pushPayload({ repo, sha: shas[0]! }),
      secret: SECRET,
    });
    expect(first.status).toBe(202);
    await until(byState, (s) => s.running.length === 1);
    // The burst: 49 more pushes, each answered before the next is sent.
    for (const sha of shas.slice(1)) {
      const r = await deliver(app.hookUrl, { payload: pushPayload({ repo, sha }), secret: SECRET });
      expect(r.status).toBe(202);
    }
    await app.prebuilds.scheduler.idle();
    const during = await byState();
    expect(during.running).toEqual([shas[0]]);
    expect(during.pending).toEqual([shas[49]]);
    // Nothing but the first job has started, though the worker had a free slot.
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toEqual([shas[0]]);

    const pushes = await app.prebuilds.pushLog.recent('gh', repo);
    expect(pushes).toHaveLength(50);
    expect(pushes[0]).toMatchObject({ sha: shas[49], outcome: 'waiting' });

    // A launch of the pending commit attaches to the pending job (same id).
    const pendingJob = (await app.deps.buildQueue.bullmq.getJobs(['delayed']))[0]!;
    const launch = await app.deps.buildQueue.enqueue({ ...pendingJob.data, trigger: 'launch' });
    expect(launch).toMatchObject({ outcome: 'attached' });
    expect(launch.job.data.buildName).toBe(pendingJob.id);

    // When the running build ends, the pending one starts; the 48 in between never do.
    release();
    const after = await until(byState, (s) => s.completed.length === 2);
    expect(after.completed.sort()).toEqual([shas[0], shas[49]].sort());
    expect(after.pending).toEqual([]);
    expect(started).toEqual([shas[0], shas[49]]);
  });

  it('tells anyone following a superseded pre-build why it will not run', async () => {
    const repo = `burst-${randomUUID().slice(0, 8)}/followed`;
    const [a, b] = [randomSha(), randomSha()];
    // With the worker paused, the first pre-build stays pending.
    await worker.pause();
    await deliver(app.hookUrl, { payload: pushPayload({ repo, sha: a }), secret: SECRET });
    await app.prebuilds.scheduler.idle();
    const [jobA] = await app.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
    expect(jobA?.data.ref).toBe(a);
    await deliver(app.hookUrl, { payload: pushPayload({ repo, sha: b }), secret: SECRET });
    await app.prebuilds.scheduler.idle();
    const last = await app.deps.bus.lastEvent(jobA!.data.buildName);
    expect(last?.event).toMatchObject({ phase: 'failed' });
    expect(last?.event.message).toMatch(/superseded by a newer push/);
    const pending = await app.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
    expect(pending.map((j) => j.data.ref)).toEqual([b]);
    worker.resume();
  });
});
