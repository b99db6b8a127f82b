import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBuild } from '../../api/builds/build-plan.js';
import type { LaunchPool } from '../../api/pool/launch-pool.js';
import { copyRegistryImage, type RegistryImage } from '../../bench/lib/registry-image.js';
import { waitFor } from '../../bench/lib/wait-for.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import {
  hubServersOf,
  hubUserExists,
  removeHubUsers,
  removeServersOf,
} from '../helpers/hub-users.js';
import { readEventStream, type StreamResult } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

// The warm pool against the real JupyterHub (DockerSpawner): the image "exists" because
// the base image's manifest is copied under its name in the local registry (no build).
// Sizes are the issue's: a pool of 5, 20 simultaneous requests.

const POOL = 5;
const BURST = 20;

function lastOf(r: StreamResult) {
  return r.events[r.events.length - 1]!;
}
const userOf = (url: string) => /\/user\/([^/]+)\//.exec(url)?.[1] ?? '';

describe('warm launch pool, against the real hub', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let pool: LaunchPool;
  let eventsDir: string;
  const images: RegistryImage[] = [];
  const launched = new Set<string>();

  const spec = () => `${encodeURIComponent(repo.url)}/HEAD`;
  const imageAt = (sha: string) => {
    const entry = h.api.runtime.deps.providers.get('git')!;
    return planBuild(entry, entry.create(spec()), sha, h.config.BinderHub.image_prefix, 'launch')
      .image;
  };
  const makeImage = async (sha: string) =>
    images.push(
      await copyRegistryImage(stackInfo().registryUrl, 'binderhub-ts/jupyter-base:1', imageAt(sha)),
    );
  const ready = async () =>
    (await pool.store.entries()).filter((e) => e.state === 'ready').map((e) => e.server);

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
    eventsDir = await mkdtemp(join(tmpdir(), 'bhts-pool-events-'));
    h = await startHarness({
      runner: false,
      config: {
        LaunchPool: {
          specs: [{ spec: `git/${encodeURIComponent(repo.url)}/HEAD`, size: POOL }],
          max_servers: POOL,
          refill_interval: 2,
        },
        EventLog: { sink: 'file', path: join(eventsDir, 'events.jsonl') },
      },
    });
    pool = h.api.runtime.deps.pool!;
    await makeImage(repo.sha);
  }, 120_000);

  afterAll(async () => {
    await pool?.drain(60_000);
    await removeHubUsers(launched);
    await h?.close();
    if (h) await removeServersOf(h.config.BinderHub.image_prefix);
    for (const image of images) await image.delete();
    await repo?.close();
    await rm(eventsDir, { recursive: true, force: true });
  }, 180_000);

  it('serves 5 of 20 simultaneous requests from a pool of 5 and launches 15: 20 servers, no token twice', async () => {
    await waitFor(async () => (await ready()).length === POOL, 'a full pool', 180_000, 500);
    const pooled = new Set((await ready()).map((s) => s.user));
    const results = await Promise.all(
      Array.from({ length: BURST }, () => readEventStream(`${h.url}build/git/${spec()}`)),
    );
    const finals = results.map((r) => lastOf(r));
    for (const f of finals) if (typeof f.data.url === 'string') launched.add(userOf(f.data.url));
    expect(finals.map((f) => f.phase)).toEqual(Array(BURST).fill('ready'));
    for (const r of results) {
      expect(r.events.map((e) => e.phase).filter((p, i, a) => p !== a[i - 1])).toEqual([
        'built',
        'launching',
        'ready',
      ]);
    }
    const users = finals.map((f) => userOf(String(f.data.url)));
    expect(new Set(users).size).toBe(BURST);
    expect(new Set(finals.map((f) => f.data.token)).size).toBe(BURST);
    expect(users.filter((u) => pooled.has(u)).sort()).toEqual([...pooled].sort());
    // A pooled server is a working server with the token handed out, and only that token.
    for (const f of finals.filter((x) => pooled.has(userOf(String(x.data.url))))) {
      const url = String(f.data.url);
      expect((await fetch(`${url}api/status?token=${String(f.data.token)}`)).status).toBe(200);
      expect((await fetch(`${url}api/status`)).status).toBe(403);
      expect(f.data.image).toBe(imageAt(repo.sha));
    }
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(/binderhub_ts_pool_claims_total\{outcome="hit"\} 5\n/);
    expect(metrics).toMatch(/binderhub_ts_pool_claims_total\{outcome="miss"\} 15\n/);
    const events = (await readFile(join(eventsDir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(BURST);
    expect(events.filter((e) => e.pooled === true)).toHaveLength(POOL);
    for (const e of events) {
      expect(e).toMatchObject({
        schema: 'binderhub.jupyter.org/launch',
        version: 6,
        build_needed: false,
      });
      expect(e.launch_seconds).toBeGreaterThanOrEqual(0);
      expect(e.total_seconds).toBeGreaterThanOrEqual(e.launch_seconds as number);
    }
    await removeHubUsers(users);
    users.forEach((u) => launched.delete(u));
  }, 600_000);

  it('refills the pool with new servers', async () => {
    const before = new Set(
      (await hubServersOf(h.config.BinderHub.image_prefix)).map((s) => s.user),
    );
    await waitFor(async () => (await ready()).length === POOL, 'a refilled pool', 180_000, 500);
    const now = await ready();
    expect(now.every((s) => !launched.has(s.user))).toBe(true);
    // Exactly the pool's servers run this image now: nothing leaked from the burst.
    const running = await hubServersOf(h.config.BinderHub.image_prefix);
    expect(running.map((s) => s.user).sort()).toEqual(now.map((s) => s.user).sort());
    expect(before.size).toBeLessThanOrEqual(POOL);
  }, 300_000);

  it('takes out the pooled servers of the old image once the spec resolves to a new commit', async () => {
    const old = await ready();
    expect(old).toHaveLength(POOL);
    const sha = await repo.addCommit({ 'notes.txt': 'a new commit\n' });
    await makeImage(sha);
    await waitFor(
      async () => {
        const servers = await ready();
        return servers.length === POOL && servers.every((s) => s.image === imageAt(sha));
      },
      'a pool of the new image',
      240_000,
      500,
    );
    await waitFor(
      async () => (await Promise.all(old.map((s) => hubUserExists(s.user)))).every((e) => !e),
      'the old servers removed from the hub',
      120_000,
      500,
    );
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(/binderhub_ts_pool_evictions_total\{reason="image_changed"\} 5\n/);
  }, 400_000);
});
