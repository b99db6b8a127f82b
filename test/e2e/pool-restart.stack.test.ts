import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBuild } from '../../api/builds/build-plan.js';
import { HubClient } from '../../api/launch/hub-client.js';
import { drainPool } from '../../api/pool/drain-pool.js';
import { PoolStore } from '../../api/pool/pool-store.js';
import { createProviders } from '../../api/providers/create-providers.js';
import { copyRegistryImage, type RegistryImage } from '../../bench/lib/registry-image.js';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import { waitFor } from '../../bench/lib/wait-for.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger, createRedis, keyNames } from '../../queue/index.js';
import { freePort, startCli, waitForOk, type CliProcess } from '../helpers/cli-process.js';
import {
  hubServersOf,
  hubUserExists,
  removeHubUsers,
  removeServersOf,
} from '../helpers/hub-users.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

// An api replica killed (SIGKILL) while its pool was refilling, and a new one started on
// the same Redis: the pool must stay consistent — the killed replica's half-started
// server is removed, its ready server is kept and handed out once, nothing leaks.
describe('warm pool across an api restart (real hub, the CLI in child processes)', () => {
  const id = randomUUID().slice(0, 8);
  const keys = keyNames(`test-${id}`);
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const store = new PoolStore(redis, keys);
  const imagePrefix = `${stackInfo().imagePrefix}c${id}-`;
  let repo: ServedGitRepo;
  let image: RegistryImage;
  const clis: CliProcess[] = [];
  const launched = new Set<string>();
  const userOf = (url: unknown) => /\/user\/([^/]+)\//.exec(String(url))?.[1] ?? '';

  async function startApi(): Promise<string> {
    const port = await freePort();
    const cli = await startCli(
      'api',
      {
        BinderHub: { port, log_level: 'warn' },
        LaunchPool: {
          specs: [{ spec: `git/${encodeURIComponent(repo.url)}/HEAD`, size: 2 }],
          max_servers: 2,
          refill_interval: 2,
        },
      },
      { id },
    );
    clis.push(cli);
    const url = `http://127.0.0.1:${port}/`;
    await waitForOk(`${url}versions`, cli, 90_000);
    return url;
  }
  const entries = () => store.entries();
  const ready = async () => (await entries()).filter((e) => e.state === 'ready');

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
    const config = parseConfig({
      BinderHub: { image_prefix: imagePrefix },
      GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] },
    });
    const entry = createProviders(config).get('git')!;
    const spec = `${encodeURIComponent(repo.url)}/HEAD`;
    const name = planBuild(entry, entry.create(spec), repo.sha, imagePrefix, 'launch').image;
    image = await copyRegistryImage(stackInfo().registryUrl, 'binderhub-ts/jupyter-base:1', name);
  }, 60_000);

  afterAll(async () => {
    for (const cli of clis) await cli.close();
    const s = stackInfo();
    const hub = new HubClient({
      apiUrl: s.hubApiUrl,
      token: s.hubApiToken,
      attempts: 3,
      retryDelayMs: 500,
    });
    await drainPool(
      { redis, keys, hub, log: createLogger({ level: 'silent' }), owner: 'test' },
      60_000,
    );
    await removeHubUsers(launched);
    await removeServersOf(imagePrefix);
    await deleteKeysUnder(redis, keys.prefix);
    redis.disconnect();
    await image?.delete();
    await repo?.close();
  }, 180_000);

  it('removes the killed replica’s half-started server, keeps its ready one, and hands each out once', async () => {
    const first = await startApi();
    await waitFor(async () => (await ready()).length === 2, 'a full pool', 180_000, 250);
    const claimed = await readEventStream(`${first}build/git/${encodeURIComponent(repo.url)}/HEAD`);
    const c1 = claimed.events[claimed.events.length - 1]!.data;
    launched.add(userOf(c1.url));
    const kept = (await ready()).map((e) => e.server.user);
    expect(kept).toHaveLength(1);
    // The claim started a refill: kill the replica while that server is starting.
    await waitFor(
      async () => (await entries()).some((e) => e.state === 'starting'),
      'a refill',
      30_000,
      20,
    );
    const orphan = (await entries()).find((e) => e.state === 'starting')!.server.user;
    clis[0]!.child.kill('SIGKILL');

    await startApi();
    // Consistent: two ready servers, the killed replica's ready one among them, nothing
    // starting or being removed, and the hub runs exactly those and the claimed one.
    await waitFor(
      async () => {
        const all = await entries();
        const removing = await store.removing();
        return (
          all.length === 2 &&
          all.every((e) => e.state === 'ready') &&
          Object.keys(removing).length === 0 &&
          !(await hubUserExists(orphan))
        );
      },
      'a consistent pool after the restart',
      240_000,
      500,
    );
    const pooled = (await ready()).map((e) => e.server.user);
    expect(pooled).toContain(kept[0]);
    const running = (await hubServersOf(imagePrefix)).map((s) => s.user).sort();
    expect(running).toEqual([...pooled, userOf(c1.url)].sort());

    const url = `http://127.0.0.1:${String(clis[1]!.config.BinderHub?.port)}/build/git/${encodeURIComponent(repo.url)}/HEAD`;
    const results = await Promise.all(Array.from({ length: 3 }, () => readEventStream(url)));
    const finals = results.map((r) => r.events[r.events.length - 1]!.data);
    for (const f of finals) launched.add(userOf(f.url));
    expect(finals.map((f) => f.phase)).toEqual(['ready', 'ready', 'ready']);
    const users = finals.map((f) => userOf(f.url));
    expect(users.filter((u) => pooled.includes(u)).sort()).toEqual([...pooled].sort());
    expect(new Set([...users, userOf(c1.url)]).size).toBe(4);
    expect(new Set([...finals.map((f) => f.token), c1.token]).size).toBe(4);
  }, 600_000);
});
