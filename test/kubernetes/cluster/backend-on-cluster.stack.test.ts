/**
 * The Kubernetes backend on a real API server, scheduler and kubelet (the local cluster
 * of scripts/kube.sh): real build pods run repo2docker against the stack's Docker
 * engine; the runner works with the chart's RBAC through a recording front
 * (ApiRecorder) that counts its calls. Skips, saying why, only when no cluster runs.
 */
import { beforeEach, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { BuildFailedError } from '../../../runners/build-failed-error.js';
import { recorder, waitFor } from '../kube-test-env.js';
import {
  eventually,
  podsPath,
  repoBuild,
  useClusterTestEnv,
  type ClusterTestEnv,
} from './cluster-test-env.js';
import { describeOnCluster } from './real-cluster.js';

await describeOnCluster('Kubernetes backend on the local cluster', (cluster) => {
  const t = useClusterTestEnv(cluster);
  const serve = t.serve;
  let env: ClusterTestEnv;
  beforeEach(() => {
    env = t.env();
  });

  it('builds in a real pod: repo2docker’s lines in order, pod deleted; more waiters cost no API call', async () => {
    const repo = await serve('for i in 1 2 3; do echo "line $i"; done');
    const backend = env.backend({ watchTimeoutSeconds: 300 });
    const one = await repoBuild(repo);
    const rec = recorder();
    const started = Date.now();
    const run = backend.run(one, rec.emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    let pod: V1Pod | undefined;
    const running = await eventually(
      'pod Running',
      async () => {
        pod = await env.pod(one.job.buildName);
        return pod?.status?.phase === 'Running' && Date.now();
      },
      60_000,
    );
    // as the API server admitted it: its own account, no token volume, the securityContext
    expect(pod!.spec!.serviceAccountName).toBe(env.ns.buildServiceAccount);
    expect(pod!.spec!.automountServiceAccountToken).toBe(false);
    expect(pod!.spec!.volumes!.map((v) => v.name)).toEqual(['docker-socket', 'repo2docker-config']);
    expect(pod!.spec!.containers[0]!.volumeMounts!.map((m) => m.mountPath)).toEqual([
      '/var/run/docker.sock',
      '/etc/binderhub-ts/repo2docker',
    ]);
    expect(pod!.spec!.containers[0]!.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    await run;
    const toRunning = running - started;
    const messages = rec.events.map((e) => e.message ?? '').join('');
    expect(messages).toMatch(/line 1\s+line 2\s+line 3/);
    expect(rec.events.some((e) => e.phase === 'building')).toBe(true);
    expect(await env.pod(one.job.buildName)).toBeUndefined();
    const callsForOne = env.recorder.calls.length;

    // the same build again with 8 waiters in this runner: one pod, one watch, one log
    const eight = await repoBuild(repo);
    const recs = Array.from({ length: 8 }, () => recorder());
    await Promise.all(recs.map((r) => backend.run(eight, r.emit, new AbortController().signal)));
    const kinds = (calls: typeof env.recorder.calls) => {
      const k = { create: 0, list: 0, watch: 0, log: 0, delete: 0, other: 0 };
      for (const c of calls) {
        if (c.path.endsWith('/log')) k.log++;
        else if (c.method === 'POST') k.create++;
        else if (c.method === 'DELETE') k.delete++;
        else if (c.query.watch === 'true') k.watch++;
        else if (c.method === 'GET' && podsPath(env.ns.name).test(c.path)) k.list++;
        else k.other++;
      }
      return k;
    };
    const forOne = kinds(env.recorder.calls.slice(0, callsForOne));
    const forEight = kinds(env.recorder.calls.slice(callsForOne));
    for (const r of recs) expect(r.events).toEqual(recs[0]!.events);
    process.stdout.write(
      `[figures] build pod Running ${toRunning} ms after the run began; API calls with ` +
        `1 waiter ${JSON.stringify(forOne)}, with 8 waiters ${JSON.stringify(forEight)}\n`,
    );
    // one create, list, watch and delete, whatever the number of waiters, and one log
    // stream at a time (it is reopened, with a growing wait, when the container ends a
    // moment before its pod says so, and read to its end once the pod has ended — as
    // often with 8 waiters as with 1, as timing has it, never once per waiter)
    const fixed = { create: 1, list: 1, watch: 1, delete: 1, other: 0 };
    expect(forOne).toMatchObject(fixed);
    expect(forEight).toMatchObject(fixed);
    const logs = env.recorder.calls.filter((c) => c.path.endsWith('/log'));
    expect(logs.every((c) => c.concurrent === 0)).toBe(true);
    expect(forEight.log).toBeLessThanOrEqual(6);
  }, 180_000);

  it('two runners, one build: the second create gets 409 and attaches; both see every line', async () => {
    const repo = await serve('for i in $(seq 1 6); do echo "tick $i"; sleep 1; done');
    const req = await repoBuild(repo);
    const a = recorder();
    const b = recorder();
    const first = env.backend().run(req, a.emit, new AbortController().signal);
    first.catch(() => undefined); // awaited below
    await waitFor('first line', () => a.events.length > 0, 60_000);
    const second = env.backend({ logTailLines: 0 }).run(req, b.emit, new AbortController().signal);
    await Promise.all([first, second]);
    const posts = env.recorder.calls.filter(
      (c) => c.method === 'POST' && podsPath(env.ns.name).test(c.path),
    );
    expect(posts.map((c) => c.status)).toEqual([201, 409]);
    const ticks = (r: typeof a) =>
      r.events
        .map((e) => e.message ?? '')
        .join('')
        .match(/tick \d/g);
    expect(ticks(a)).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
    expect(ticks(b)).toEqual(ticks(a));
  }, 180_000);

  it('resumes a watch the API server ends (timeoutSeconds) from its resourceVersion', async () => {
    const repo = await serve('for i in $(seq 1 8); do echo "tick $i"; sleep 1; done');
    const req = await repoBuild(repo);
    const rec = recorder();
    await env.backend({ watchTimeoutSeconds: 2 }).run(req, rec.emit, new AbortController().signal);
    const watches = env.recorder.calls.filter(
      (c) => podsPath(env.ns.name).test(c.path) && c.query.watch === 'true',
    );
    expect(watches.length).toBeGreaterThanOrEqual(3);
    expect(watches.every((w) => w.query.timeoutSeconds === '2' && w.query.resourceVersion)).toBe(
      true,
    );
    // resumed from where each left off, never listed again
    expect(
      env.recorder.count('GET', podsPath(env.ns.name), {
        labelSelector: `name=${req.job.buildName}`,
      }) - watches.length,
    ).toBe(1);
    expect(rec.events.map((e) => e.message ?? '').join('')).toContain('tick 8');
  }, 180_000);

  it('reopens a log stream the network cut, without repeating a line', async () => {
    const repo = await serve('for i in $(seq 1 8); do echo "tick $i"; sleep 1; done');
    const rec = recorder();
    const run = env.backend().run(await repoBuild(repo), rec.emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    await waitFor('tick 2', () => rec.events.some((e) => e.message?.includes('tick 2')), 60_000);
    expect(env.recorder.dropStreams()).toBeGreaterThanOrEqual(1);
    await run;
    const ticks = rec.events
      .map((e) => e.message ?? '')
      .join('')
      .match(/tick \d/g);
    expect(ticks).toEqual(Array.from({ length: 8 }, (_, i) => `tick ${i + 1}`));
    const logs = env.recorder.calls.filter((c) => c.path.endsWith('/log'));
    expect(logs[0]!.query).toMatchObject({
      follow: 'true',
      timestamps: 'true',
      container: 'builder',
    });
    expect(logs[0]!.query.tailLines).toBeUndefined(); // our own pod: all of its log
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(logs.at(-1)!.query.sinceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // the cut watch resumed from the last resourceVersion seen, without listing again
    const pods = podsPath(env.ns.name);
    const watches = env.recorder.calls.filter((c) => pods.test(c.path) && c.query.watch === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches.at(-1)!.query.resourceVersion).toBeTruthy();
    expect(
      env.recorder.calls.filter((c) => pods.test(c.path) && c.method === 'GET' && !c.query.watch),
    ).toHaveLength(1);
  }, 180_000);

  it('idle_timeout: a build that prints nothing fails, saying so, and its pod is deleted', async () => {
    const repo = await serve('sleep 60');
    const req = await repoBuild(repo);
    const err = await env
      .backend({ idleTimeoutMs: 8000 })
      .run(req, recorder().emit, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).reason).toBe('idle');
    expect(await env.pod(req.job.buildName)).toBeUndefined();
  }, 180_000);

  it('max_age: a build running too long fails and its pod is deleted', async () => {
    const repo = await serve('for i in $(seq 1 60); do echo "tick $i"; sleep 1; done');
    const req = await repoBuild(repo);
    const err = await env
      .backend({ maxAgeMs: 12_000 })
      .run(req, recorder().emit, new AbortController().signal)
      .catch((e: unknown) => e);
    expect((err as BuildFailedError).reason).toBe('max_age');
    expect((err as Error).message).toContain('BuildExecutor.max_age');
    expect(await env.pod(req.job.buildName)).toBeUndefined();
  }, 180_000);

  it('a failing build ends with repo2docker’s own message; its pod is deleted', async () => {
    const repo = await serve('echo "about to fail" && exit 3');
    const req = await repoBuild(repo);
    const rec = recorder();
    const err = await env
      .backend()
      .run(req, rec.emit, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).message).toMatch(/^Build failed: .*non-zero code: 3/);
    expect(rec.events.at(-1)!.phase).toBe('failed');
    expect(rec.events.some((e) => e.message?.includes('about to fail'))).toBe(true);
    expect(await env.pod(req.job.buildName)).toBeUndefined();
  }, 180_000);

  it('a pod deleted under a running build fails it, saying so', async () => {
    const repo = await serve('for i in $(seq 1 60); do echo "tick $i"; sleep 1; done');
    const req = await repoBuild(repo);
    const rec = recorder();
    const run = env.backend().run(req, rec.emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    await waitFor('tick 1', () => rec.events.some((e) => e.message?.includes('tick 1')), 60_000);
    await env.ns.adminApi.deleteNamespacedPod({ name: req.job.buildName, namespace: env.ns.name });
    await expect(run).rejects.toThrow(
      `The build pod ${req.job.buildName} was deleted before the build finished`,
    );
  }, 180_000);

  it('the API server refusing the pod (RBAC) fails the build with its message', async () => {
    const repo = await serve('echo never');
    const other = `${env.ns.name}-other`; // the runner's Role does not reach it
    await cluster.kubectlRun(['create', 'namespace', other]);
    try {
      const err = await env
        .backend({ namespace: other })
        .run(await repoBuild(repo), recorder().emit, new AbortController().signal)
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /^Could not start the build pod: pods is forbidden: User "system:serviceaccount:.*:bhts-binderhub-ts-runner" cannot create resource "pods"/,
      );
    } finally {
      await cluster.kubectlRun(['delete', 'namespace', other, '--wait=false']);
    }
  }, 60_000);
});
