import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';
import { dockerApi, requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { engineImageId, registryDigest, waitForState } from '../helpers/economy-helpers.js';

// Forced rebuilds (issue 15, item 2): the admin API and the dashboard's action rebuild an
// image that exists, without the layer cache; the tag is replaced, the next launch gets
// the new image, a server already running keeps the old one. Real Redis, Docker,
// repo2docker, registry, JupyterHub and git server.

const ADMIN = `admin-${randomUUID()}`;
const VIEWER = `viewer-${randomUUID()}`;

/** The image id the hub's container of a server (`…/user/<name>/`) runs, and its state. */
async function serverContainer(url: string): Promise<{ image: string; state: string }> {
  const user = decodeURIComponent(/\/user\/([^/]+)\//.exec(url)?.[1] ?? '');
  const filters = encodeURIComponent(JSON.stringify({ label: ['org.binderhub-ts.stack=spawner'] }));
  const list = JSON.parse(
    (await dockerApi(`/containers/json?all=1&filters=${filters}`)).body,
  ) as Array<{
    Id: string;
  }>;
  for (const { Id } of list) {
    const c = JSON.parse((await dockerApi(`/containers/${Id}/json`)).body) as {
      Image: string;
      State: { Status: string };
      Config: { Env: string[] };
    };
    if (c.Config.Env.includes(`JUPYTERHUB_USER=${user}`))
      return { image: c.Image, state: c.State.Status };
  }
  throw new Error(`no container of ${user}`);
}

describe('forced rebuild', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  const servers: string[] = [];
  let spec = '';
  let image = '';

  const launch = async () => {
    const { events } = await readEventStream(`${h.url}build/git/${spec}`);
    const ready = events.at(-1)!;
    expect(ready.phase, JSON.stringify(ready.data)).toBe('ready');
    servers.push(String(ready.data.url));
    return { url: String(ready.data.url), image: String(ready.data.image), events };
  };
  const rebuildApi = (token: string) =>
    fetch(`${h.url}api/rebuilds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'git', spec }),
    });
  const finished = async (build: string) => {
    const s = await waitForState(h, build, (x) => x === 'completed' || x === 'failed', 180_000);
    expect(s?.state, s?.failedReason).toBe('completed');
  };

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({ config: { Dashboard: { admin_token: ADMIN, viewer_token: VIEWER } } });
    // A step whose output differs on every run: a rebuild that used the cache would not change it.
    repo = await serveGitRepo({
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "${randomUUID()}" && date +%s%N > /tmp/built-at\n`,
    });
    spec = `${encodeURIComponent(repo.url)}/HEAD`;
  });
  afterAll(async () => {
    for (const url of servers) await h.stopServer(url);
    await repo?.close();
    await h?.close();
  });

  it('rebuilds an existing image under the same name; the next launch uses it, a running server keeps the old one', async () => {
    const before = await launch();
    image = before.image;
    const oldId = await engineImageId(image);
    const oldDigest = await registryDigest(image);
    expect(oldId).toBeDefined();
    expect(oldDigest).toBeDefined();
    expect((await serverContainer(before.url)).image).toBe(oldId);

    expect((await rebuildApi('wrong')).status).toBe(401);
    expect((await rebuildApi(VIEWER)).status).toBe(401);
    const res = await rebuildApi(ADMIN);
    const body = (await res.json()) as Record<string, string>;
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body).toMatchObject({ ref: repo.sha, image });
    // The first build's completed job has the same id (the build name): it is replaced.
    expect(body.outcome).toBe('requeued');
    await finished(body.build!);
    const listed = await fetch(`${h.url}api/builds?repo=${encodeURIComponent(repo.url)}`);
    const { builds } = (await listed.json()) as { builds: Array<Record<string, unknown>> };
    expect(builds).toEqual([
      expect.objectContaining({ buildName: body.build, state: 'built', rebuild: true }),
    ]);

    const newId = await engineImageId(image);
    const newDigest = await registryDigest(image);
    expect(newId).toBeDefined();
    expect(newId).not.toBe(oldId);
    expect(newDigest).not.toBe(oldDigest);
    // The server started before keeps running its image.
    expect(await serverContainer(before.url)).toEqual({ image: oldId, state: 'running' });

    const after = await launch();
    expect(after.image).toBe(image);
    expect(after.events[0]?.data).toMatchObject({ phase: 'built', resolved_ref: repo.sha });
    expect((await serverContainer(after.url)).image).toBe(newId);
  }, 400_000);

  it('rebuilds from the dashboard form (admin, same origin); a viewer may not', async () => {
    const page = `${h.url}admin/queues/rebuild`;
    const basic = (t: string) => `Basic ${Buffer.from(`ops:${t}`).toString('base64')}`;
    const form = new URLSearchParams({ provider: 'git', spec }).toString();
    const post = (t: string) =>
      fetch(page, {
        method: 'POST',
        headers: {
          authorization: basic(t),
          origin: new URL(h.url).origin,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form,
      });
    const get = await fetch(page, { headers: { authorization: basic(ADMIN) } });
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('<form method="post">');
    expect((await post(VIEWER)).status).toBe(403);

    const digest = await registryDigest(image);
    const res = await post(ADMIN);
    const html = await res.text();
    expect(res.status, html).toBe(202);
    expect(html).toContain('Rebuild queued');
    const build = /build <code>(build-[a-z0-9-]+)<\/code>/.exec(html)?.[1];
    expect(build).toBeDefined();
    await finished(build!);
    expect(await registryDigest(image)).not.toBe(digest);
  }, 300_000);
});
