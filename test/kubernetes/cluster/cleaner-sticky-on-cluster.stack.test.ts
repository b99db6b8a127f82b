/**
 * The cleaner and sticky builds on the local cluster (scripts/kube.sh): pod phases set
 * by the real kubelet, scheduling by the real scheduler. Skips, saying why, only when no
 * cluster runs.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { beforeEach, expect, it } from 'vitest';
import { KubernetesCleaner } from '../../../runners/kubernetes/kubernetes-cleaner.js';
import { recorder } from '../kube-test-env.js';
import {
  eventually,
  repoBuild,
  simplePod,
  useClusterTestEnv,
  type ClusterTestEnv,
} from './cluster-test-env.js';
import { describeOnCluster } from './real-cluster.js';

await describeOnCluster('Cleaner and sticky builds on the local cluster', (cluster) => {
  const t = useClusterTestEnv(cluster);
  const serve = t.serve;
  let env: ClusterTestEnv;
  beforeEach(() => {
    env = t.env();
  });

  it('the cleaner deletes finished build pods (real phases from the kubelet), keeps the rest', async () => {
    const pod = (name: string, args: string[], component = 'binderhub-build') =>
      env.ns.adminApi.createNamespacedPod({
        namespace: env.ns.name,
        body: simplePod(name, args, { name, component }),
      });
    await pod('done-ok', ['true']);
    await pod('done-failed', ['false']);
    await pod('running', ['sleep', '300']);
    await pod('not-a-build', ['true'], 'something-else');
    const phase = async (n: string) => (await env.pod(n))?.status?.phase;
    await eventually('phases', async () => {
      const p = await Promise.all(['done-ok', 'done-failed', 'running', 'not-a-build'].map(phase));
      return p.join() === 'Succeeded,Failed,Running,Succeeded';
    });
    const cleaner = (maxAgeMs: number) =>
      new KubernetesCleaner({
        api: env.ns.runner.makeApiClient(CoreV1Api),
        namespace: env.ns.name,
        maxAgeMs,
        intervalMs: 60_000,
        log: env.log,
      });
    expect((await cleaner(3_600_000).cleanup()).sort()).toEqual(['done-failed', 'done-ok']);
    expect(await phase('running')).toBe('Running');
    expect(await cleaner(1).cleanup()).toEqual(['running']); // over max_age
    expect(await phase('not-a-build')).toBe('Succeeded');
  }, 120_000);

  it('sticky builds: the build pod prefers the node of the image-builder pod rendezvous hashing picks', async () => {
    await env.ns.adminApi.createNamespacedPod({
      namespace: env.ns.name,
      body: simplePod('dind', ['sleep', '300'], { app: 'binder', component: 'image-builder' }),
    });
    await eventually(
      'image-builder scheduled',
      async () => (await env.pod('dind'))?.spec?.nodeName,
    );
    const repo = await serve('echo sticky');
    const req = await repoBuild(repo);
    const run = env
      .backend({ stickyBuilds: true })
      .run(req, recorder().emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    const pod = await eventually('build pod scheduled', async () => {
      const p = await env.pod(req.job.buildName);
      return p?.spec?.nodeName ? p : undefined;
    });
    await run;
    const term =
      pod.spec!.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0]!;
    expect(term.preference.matchExpressions).toEqual([
      { key: 'kubernetes.io/hostname', operator: 'In', values: [cluster.nodeName] },
    ]);
    expect(pod.spec!.nodeName).toBe(cluster.nodeName);
  }, 120_000);
});
