import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import {
  alive,
  containersWith,
  engineImageId,
  onlyJob,
  registryDigest,
  runPids,
  sleep,
  slowDockerfile,
  ticks,
  waitForState,
} from '../helpers/economy-helpers.js';

// Interactive builds nobody waits for are cancelled after BuildQueue.orphan_grace_seconds
// (issue 15, item 3): real Redis, Docker engine, repo2docker, registry and git server.

const GRACE = 4;
const ADMIN = `admin-${randomUUID()}`;

/** Follows `url` until the build prints `tick n`, then leaves (the client disconnects). */
async function followUntilTick(url: string, n: number): Promise<ReceivedEvent[]> {
  const abort = new AbortController();
  const { events } = await readEventStream(url, {
    signal: abort.signal,
    onEvent: (e) => {
      if (ticks([e]).includes(n)) abort.abort();
    },
  }).catch(() => ({ events: [] as ReceivedEvent[] }));
  return events;
}

describe('builds nobody waits for', () => {
  let h: Harness;
  const repos: ServedGitRepo[] = [];
  const repo = async (marker: string, n: number) => {
    const r = await serveGitRepo({ Dockerfile: slowDockerfile(marker, n) });
    repos.push(r);
    return r;
  };
  const buildUrl = (r: ServedGitRepo) =>
    `${h.url}build/git/${encodeURIComponent(r.url)}/HEAD?build_only=true`;

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({
      config: {
        BuildQueue: { orphan_grace_seconds: GRACE, follower_lease_seconds: 3 },
        PrebuildApi: { token: ADMIN },
      },
    });
  });
  afterAll(async () => {
    for (const r of repos) await r.close();
    await h?.close();
  });

  it('cancels a build within grace + 5 s of its last client leaving: repo2docker and its container gone, nothing pushed', async () => {
    const marker = randomUUID();
    const r = await repo(marker, 90);
    const abort = new AbortController();
    await readEventStream(buildUrl(r), {
      signal: abort.signal,
      onEvent: (e) => {
        if (ticks([e]).includes(2)) abort.abort();
      },
    }).catch(() => undefined);
    const leftAt = Date.now();
    const build = String((await onlyJob(h, ['active'])).id);
    const image = (await onlyJob(h, ['active'])).data.image;
    expect(await containersWith(marker)).not.toEqual([]); // the build step runs
    const pids = await runPids(h, build);
    expect(pids.some(alive)).toBe(true);

    const state = await waitForState(h, build, (s) => s === 'failed', (GRACE + 30) * 1000);
    const cancelledAfter = (Date.now() - leftAt) / 1000;
    expect(state?.state).toBe('failed');
    expect(state?.failedReason).toMatch(/Build cancelled: nobody was waiting for it any more/);
    expect(cancelledAfter).toBeLessThan(GRACE + 5);
    expect(cancelledAfter).toBeGreaterThanOrEqual(GRACE - 0.5);
    process.stdout.write(
      `[economy] cancelled ${cancelledAfter.toFixed(1)} s after the client left (grace ${GRACE} s)\n`,
    );

    // repo2docker and the build's container are gone; no image in the engine or registry.
    await sleep(1000);
    expect(pids.filter(alive)).toEqual([]);
    expect(await containersWith(marker)).toEqual([]);
    expect(await engineImageId(image)).toBeUndefined();
    expect(await registryDigest(image)).toBeUndefined();
    // The build's history ends with the reason, for anyone who opens it later.
    const last = await h.api.runtime.deps.bus.lastEvent(build);
    expect(last?.event).toMatchObject({ phase: 'failed' });
    expect(last?.event.message).toMatch(/nobody was waiting/);
  }, 120_000);

  it('keeps a build whose client comes back within the grace period', async () => {
    const r = await repo(randomUUID(), 12);
    await followUntilTick(buildUrl(r), 2);
    await sleep((GRACE - 2) * 1000);
    const { events } = await readEventStream(buildUrl(r));
    const last = events.at(-1)!;
    expect(last.phase, JSON.stringify(last.data)).toBe('ready');
    expect(Math.max(...ticks(events))).toBe(12);
  }, 180_000);

  it('keeps a build another api process still follows, and cancels it once that process stops renewing', async () => {
    const r = await repo(randomUUID(), 60);
    await followUntilTick(buildUrl(r), 2);
    const job = await onlyJob(h, ['active']);
    // Another api process's lease (as FollowerLeases writes it), renewed for 3 s, then
    // that process "crashes": its last lease ends 3 s later.
    const { redis } = h.api.runtime.deps;
    const key = `${h.config.Redis.key_prefix}:build:${job.id}:followers:${job.data.requestedAt}`;
    for (let i = 0; i < 3; i++) {
      await redis.zadd(key, Date.now() + 3000, 'api-crashed');
      await sleep(1000);
    }
    const crashedAt = Date.now();
    const state = await waitForState(h, String(job.id), (s) => s === 'failed', 40_000);
    const after = (Date.now() - crashedAt) / 1000;
    expect(state?.failedReason).toMatch(/nobody was waiting/);
    // lease end (3 s) + grace, give or take the runner's look every second
    expect(after).toBeGreaterThanOrEqual(3 + GRACE - 1);
    expect(after).toBeLessThan(3 + GRACE + 5);
  }, 120_000);

  it('never cancels a pre-build', async () => {
    const r = await repo(randomUUID(), 14);
    const spec = `${encodeURIComponent(r.url)}/HEAD`;
    const res = await fetch(`${h.url}api/prebuilds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'git', spec }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    // A person follows the pre-build for a while, then leaves.
    await followUntilTick(buildUrl(r), 2);
    const job = await onlyJob(h, ['active']);
    expect(job.data.trigger).toBe('push');
    const state = await waitForState(h, String(job.id), (s) => s !== 'active', 60_000);
    expect(state?.state).toBe('completed');
  }, 120_000);
});
