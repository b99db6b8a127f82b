import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { freePort, startCli, waitForOk, type CliProcess } from '../helpers/cli-process.js';
import { reportRecovery } from './report-recovery.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import {
  dockerApi,
  requireStack,
  serveGitRepo,
  stackInfo,
  type ServedGitRepo,
} from '../helpers/stack.js';

// Clients that leave in the middle of a launch, against the stack's real JupyterHub
// (through a proxy that records which users were created and can play a hub restart).
// An abandoned launch must not leave a hub user or a server container behind.

const s = stackInfo();
const hubHeaders = { authorization: `token ${s.hubApiToken}` };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hub users created through the proxy (`POST …/users/<name>`). */
const createdUsers = (p: FaultProxy) =>
  p.seen
    .map((r) => /^POST \/hub\/api\/users\/([^/?]+)$/.exec(r)?.[1])
    .filter((u): u is string => u !== undefined)
    .map(decodeURIComponent);

async function userExists(user: string): Promise<boolean> {
  const res = await fetch(`${s.hubApiUrl}users/${encodeURIComponent(user)}`, {
    headers: hubHeaders,
  });
  await res.arrayBuffer();
  return res.status !== 404;
}

/** Server containers DockerSpawner made for `user` (`binderhub-ts-<user>`), running or not. */
async function containersOf(user: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ name: [`binderhub-ts-${user}`] }));
  const res = await dockerApi(`/containers/json?all=1&filters=${filters}`);
  return (JSON.parse(res.body) as unknown[]).length;
}

/** Waits until none of `users` exists on the hub; returns those left after `timeoutMs`. */
async function untilGone(users: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = users;
  while (left.length > 0 && Date.now() < deadline) {
    const exists = await Promise.all(left.map(userExists));
    left = left.filter((_, i) => exists[i]);
    if (left.length > 0) await sleep(500);
  }
  return left;
}

async function removeUser(user: string): Promise<void> {
  const path = `${s.hubApiUrl}users/${encodeURIComponent(user)}`;
  for (let i = 0; i < 30 && (await userExists(user)); i++) {
    await fetch(`${path}/server`, { method: 'DELETE', headers: hubHeaders }).catch(() => undefined);
    await fetch(path, { method: 'DELETE', headers: hubHeaders }).catch(() => undefined);
    await sleep(1000);
  }
}

/** Reads a `/build` stream until `leaveWhen` says so (then closes it) or its end. */
async function launchAndMaybeLeave(
  url: string,
  leaveWhen: (e: ReceivedEvent) => boolean,
): Promise<ReceivedEvent[]> {
  const abort = new AbortController();
  const events: ReceivedEvent[] = [];
  await readEventStream(url, {
    signal: abort.signal,
    onEvent: (e) => {
      events.push(e);
      if (leaveWhen(e)) abort.abort();
    },
  }).catch(() => undefined);
  return events;
}

/** A series' value on `<url>metrics` once it reached `want` (or its value after 10 s). */
async function metricOnceAt(url: string, series: string, want: number): Promise<number> {
  let value = 0;
  for (let i = 0; i < 40 && value < want; i++) {
    if (i > 0) await sleep(250);
    const text = await (await fetch(`${url}metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(series));
    value = line ? Number(line.split(' ').pop()) : 0;
  }
  return value;
}

describe('clients that leave in the middle of a launch', () => {
  let hub: FaultProxy;
  let hubDown = false;
  let onSpawn: (() => void) | undefined;
  let h: Harness;
  let repo: ServedGitRepo;
  let url = '';
  const readyUsers: string[] = [];

  beforeAll(async () => {
    await requireStack();
    hub = await startFaultProxy(s.hubUrl, (req, res) => {
      if (req.method === 'POST' && /\/servers\/$/.test(req.url ?? '')) onSpawn?.();
      if (!hubDown) return false;
      res.socket?.destroy(); // as a hub that is restarting: nothing answers
      return true;
    });
    h = await startHarness({
      config: {
        BinderHub: { hub_url: `${hub.url}/` },
        Launcher: { retry_delay: 0.2, launch_timeout: 60 },
      },
    });
    repo = await serveGitRepo({
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "${randomUUID()}"\n`,
    });
    url = `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`;
  }, 180_000);
  afterAll(async () => {
    for (const u of [...readyUsers, ...createdUsers(hub)]) await removeUser(u);
    await repo?.close();
    await h?.close();
    await hub?.close();
  }, 120_000);

  it('200 clients on one spec, 195 leaving at `built`: one build, 5 servers, no user left', async () => {
    const clients = Array.from({ length: 200 }, (_, i) =>
      launchAndMaybeLeave(url, (e) => i >= 5 && e.phase === 'built'),
    );
    const results = await Promise.all(clients);
    const ready = results.filter((r) => r.at(-1)?.phase === 'ready');
    expect(ready).toHaveLength(5);
    for (const r of ready)
      readyUsers.push(/\/user\/([^/]+)\//.exec(String(r.at(-1)!.data.url))![1]!);
    expect(h.buildRuns).toBe(1);
    const created = createdUsers(hub);
    const abandoned = created.filter((u) => !readyUsers.includes(u));
    expect(abandoned.length).toBeGreaterThanOrEqual(190);
    const started = Date.now();
    expect(await untilGone(abandoned, 90_000)).toEqual([]);
    reportRecovery(
      '195 of 200 clients left at built: users removed after the last left',
      Date.now() - started,
    );
    for (const u of readyUsers) expect(await userExists(u)).toBe(true);
    const counts = await Promise.all(abandoned.map(containersOf));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(0);
    const key = `${h.config.Redis.key_prefix}:launch-users`;
    expect(await h.api.runtime.deps.redis.zcard(key)).toBe(0);
    // Every one of the 195 abandoned launches had its user removed (or found none).
    const removed = 'binderhub_ts_launch_user_cleanups_total{outcome="removed"}';
    expect(await metricOnceAt(h.url, removed, 195)).toBe(195);
  }, 240_000);

  it('a client leaving while its server starts, the hub down for 5 s: the user and its container go', async () => {
    const before = createdUsers(hub).length;
    let left = 0;
    const events = await launchAndMaybeLeave(url, (e) => {
      const spawning = e.phase === 'launching' && e.message !== 'Launching server...\n';
      if (spawning && !left) left = Date.now();
      return spawning;
    });
    expect(events.some((e) => e.phase === 'ready')).toBe(false);
    hubDown = true;
    await sleep(5000);
    hubDown = false;
    const user = createdUsers(hub)[before]!;
    expect(user).toBeDefined();
    expect(await untilGone([user], 90_000)).toEqual([]);
    reportRecovery(
      'client left while its server started, hub down 5 s: user and server removed',
      Date.now() - left,
    );
    expect(await containersOf(user)).toBe(0);
  }, 150_000);

  it('an api killed in the middle of a launch: the next api sweeps its user away', async () => {
    const apis: CliProcess[] = [];
    const startApi = async () => {
      const port = await freePort();
      const api = await startCli('api', {
        BinderHub: { port, hub_url: `${hub.url}/`, image_prefix: h.config.BinderHub.image_prefix },
        Redis: { key_prefix: h.config.Redis.key_prefix },
        BuildQueue: { name: h.config.BuildQueue.name },
        Launcher: { launch_timeout: 5, sweep_interval: 1, retry_delay: 0.2 },
      });
      apis.push(api);
      await waitForOk(`http://127.0.0.1:${port}/versions`, api);
      return { api, url: `http://127.0.0.1:${port}/` };
    };
    try {
      const first = await startApi();
      const before = createdUsers(hub).length;
      onSpawn = () => first.api.child.kill('SIGKILL');
      await launchAndMaybeLeave(
        `${first.url}build/git/${encodeURIComponent(repo.url)}/HEAD`,
        () => false,
      );
      onSpawn = undefined;
      const user = createdUsers(hub)[before]!;
      expect(user).toBeDefined();
      const killedAt = Date.now();
      const second = await startApi();
      expect(await untilGone([user], 60_000)).toEqual([]);
      reportRecovery(
        'api killed mid-launch (launch_timeout 5 s): user swept by the next api',
        Date.now() - killedAt,
      );
      expect(await containersOf(user)).toBe(0);
      const swept = 'binderhub_ts_launch_user_cleanups_total{outcome="swept"}';
      expect(await metricOnceAt(second.url, swept, 1)).toBe(1);
    } finally {
      for (const a of apis) await a.close();
    }
  }, 120_000);
});
