import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchPool } from '../../api/pool/launch-pool.js';
import { waitFor } from '../../bench/lib/wait-for.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { removeHubUsers, removeServersOf } from '../helpers/hub-users.js';
import { readEventStream } from '../helpers/sse-client.js';
import { dockerApi, requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { engineImageId, waitForState } from '../helpers/economy-helpers.js';

// A forced rebuild of a pooled spec (issue 15, item 2): the warm pool's servers of the old
// image are replaced once the new one is built, so the next launch (served by the pool)
// runs the new image. Real Redis, Docker, repo2docker, registry, JupyterHub, git.

const ADMIN = `admin-${randomUUID()}`;

/** The image id the container of a hub user's server runs. */
async function containerImage(user: string): Promise<string | undefined> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['org.binderhub-ts.stack=spawner'] }));
  const list = JSON.parse((await dockerApi(`/containers/json?filters=${filters}`)).body) as Array<{
    Id: string;
  }>;
  for (const { Id } of list) {
    const c = JSON.parse((await dockerApi(`/containers/${Id}/json`)).body) as {
      Image: string;
      Config: { Env: string[] };
    };
    if (c.Config.Env.includes(`JUPYTERHUB_USER=${user}`)) return c.Image;
  }
  return undefined;
}

describe('forced rebuild of a pooled spec', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let pool: LaunchPool;
  const users = new Set<string>();
  const ready = async () =>
    (await pool.store.entries()).filter((e) => e.state === 'ready').map((e) => e.server);

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "${randomUUID()}" && date +%s%N > /tmp/built-at\n`,
    });
    h = await startHarness({
      config: {
        Dashboard: { admin_token: ADMIN },
        LaunchPool: {
          specs: [{ spec: `git/${encodeURIComponent(repo.url)}/HEAD`, size: 1 }],
          max_servers: 1,
          refill_interval: 2,
        },
      },
    });
    pool = h.api.runtime.deps.pool!;
  }, 120_000);
  afterAll(async () => {
    await pool?.drain(60_000);
    await removeHubUsers(users);
    if (h) await removeServersOf(h.config.BinderHub.image_prefix);
    await h?.close();
    await repo?.close();
  }, 180_000);

  it('replaces the pooled servers of the old image; the next (pooled) launch runs the new one', async () => {
    const spec = `${encodeURIComponent(repo.url)}/HEAD`;
    const { events } = await readEventStream(`${h.url}build/git/${spec}?build_only=true`);
    const image = String(events.at(-1)?.data.imageName);
    expect(events.at(-1)?.phase).toBe('ready');
    await waitFor(async () => (await ready()).length === 1, 'a pooled server', 120_000, 500);
    const [old] = await ready();
    const oldId = await engineImageId(image);
    expect(await containerImage(old!.user)).toBe(oldId);

    const res = await fetch(`${h.url}api/rebuilds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'git', spec }),
    });
    const body = (await res.json()) as { build: string };
    expect(res.status).toBe(202);
    const state = await waitForState(
      h,
      body.build,
      (s) => s === 'completed' || s === 'failed',
      180_000,
    );
    expect(state?.state, state?.failedReason).toBe('completed');
    const newId = await engineImageId(image);
    expect(newId).not.toBe(oldId);

    // The old server goes; a new one of the new image takes its place.
    await waitFor(
      async () => {
        const now = await ready();
        return now.length === 1 && now[0]!.user !== old!.user;
      },
      'a pooled server of the rebuilt image',
      120_000,
      500,
    );
    const [fresh] = await ready();
    expect(await containerImage(fresh!.user)).toBe(newId);

    const launch = await readEventStream(`${h.url}build/git/${spec}`);
    const end = launch.events.at(-1)!;
    expect(end.phase, JSON.stringify(end.data)).toBe('ready');
    const user = /\/user\/([^/]+)\//.exec(String(end.data.url))?.[1] ?? '';
    users.add(user);
    expect(user).toBe(fresh!.user); // served by the pool
    expect(await containerImage(user)).toBe(newId);
  }, 400_000);
});
