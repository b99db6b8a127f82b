/**
 * Binder links through `/build` with `Runner.backend: kubernetes` on the local cluster
 * (scripts/kube.sh): the api, runners outside the cluster with the chart's RBAC, real
 * build pods running repo2docker against the stack's Docker engine and pushing to the
 * stack's registry, JupyterHub launching the image. Skips, saying why, only when no
 * cluster runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackend } from '../../../runners/create-backend.js';
import { startRunner, type Runner } from '../../../runners/runner.js';
import { startHarness, type Harness } from '../../helpers/binder-harness.js';
import { phaseSequence, readEventStream, type ReceivedEvent } from '../../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../../helpers/stack.js';
import {
  clusterSettings,
  dockerfile,
  podsPath,
  startClusterTestEnv,
  type ClusterTestEnv,
} from './cluster-test-env.js';
import { describeOnCluster } from './real-cluster.js';

const CLI = fileURLToPath(new URL('../../../bin/binderhub-ts.js', import.meta.url));
const buildUrl = (h: Harness, repo: ServedGitRepo) =>
  `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`;
const last = (events: ReceivedEvent[]) => events[events.length - 1]!;
const ticks = (events: ReceivedEvent[]) =>
  events.flatMap((e) => [...(e.message ?? '').matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));

await describeOnCluster('Binder links with build pods on the local cluster', (cluster) => {
  let env: ClusterTestEnv;
  let h: Harness;
  const launched: Array<[Harness, string]> = [];
  const repos: ServedGitRepo[] = [];
  const children: ChildProcess[] = [];

  /** The harness config for runners on the cluster (the runner's kubeconfig goes through the recorder). */
  const kubeConfigSections = () => {
    const s = clusterSettings(env.ns);
    return {
      Runner: { backend: 'kubernetes' as const, metrics_port: 0 },
      KubernetesBuildExecutor: {
        namespace: s.namespace,
        kubeconfig: env.ns.kubeconfigPath,
        build_image: s.buildImage,
        host_network: true,
        service_account: s.serviceAccount,
        docker_host: s.dockerHost,
        push_secret: '',
        tolerations: [],
      },
      KubernetesCleaner: { enabled: false },
    };
  };

  beforeAll(async () => {
    await requireStack();
    env = await startClusterTestEnv(cluster);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const [harness, url] of launched) await harness.stopServer(url);
    for (const r of repos) await r.close();
    await h?.close();
    await env?.close();
  });

  it('launches through /build: real build pod, push, JupyterHub; the same phases as the docker backend', async () => {
    // one repository each: a shared one would let the second build reuse the first's layers
    const repo = await serveGitRepo({ Dockerfile: dockerfile('echo "built in a pod"') });
    const twin = await serveGitRepo({ Dockerfile: dockerfile('echo "built in a pod"') });
    repos.push(repo, twin);
    h = await startHarness({ config: kubeConfigSections() });
    const docker = await startHarness();
    try {
      const [k8s, local] = await Promise.all([
        readEventStream(buildUrl(h, repo)),
        readEventStream(buildUrl(docker, twin)),
      ]);
      for (const [harness, run] of [
        [h, k8s],
        [docker, local],
      ] as const) {
        expect(last(run.events).phase, JSON.stringify(last(run.events).data)).toBe('ready');
        launched.push([harness, String(last(run.events).data.url)]);
      }
      expect(phaseSequence(k8s.events)).toEqual(phaseSequence(local.events));
      const lines = (r: typeof k8s) =>
        r.events.filter((e) => e.message?.includes('built in a pod'));
      expect(lines(k8s).length).toBeGreaterThan(0);
      expect(lines(k8s).map((e) => e.message)).toEqual(lines(local).map((e) => e.message));
      expect(env.recorder.count('POST', podsPath(env.ns.name))).toBe(1);
    } finally {
      await docker.close();
    }
  }, 300_000);

  it('two runners and 8 concurrent requests: one build pod, every request ready', async () => {
    const repo = await serveGitRepo({ Dockerfile: dockerfile('echo "eight at once"') });
    repos.push(repo);
    const before = env.recorder.calls.length;
    const second: Runner = startRunner({
      config: h.config,
      backend: await createBackend(h.config, h.log),
      log: h.log,
    });
    try {
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => readEventStream(`${buildUrl(h, repo)}?build_only=true`)),
      );
      for (const r of runs) expect(last(r.events).phase).toBe('ready');
      const creates = env.recorder.calls
        .slice(before)
        .filter((c) => c.method === 'POST' && podsPath(env.ns.name).test(c.path));
      expect(creates.filter((c) => c.status === 201)).toHaveLength(1);
      expect(creates.every((c) => c.status === 201 || c.status === 409)).toBe(true);
    } finally {
      await second.close(true);
    }
  }, 300_000);

  it('a runner killed mid-build: a new runner re-attaches to the pod; every line arrives once', async () => {
    const repo = await serveGitRepo({
      Dockerfile: dockerfile('for i in $(seq 1 20); do echo "tick $i"; sleep 1; done'),
    });
    repos.push(repo);
    const r = await startHarness({
      runner: false,
      config: { ...kubeConfigSections(), BinderHub: { log_level: 'info' } },
    });
    try {
      const start = () => {
        let out = '';
        const child = spawn(process.execPath, [CLI, 'runner', '--config', r.configFile], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        children.push(child);
        return { child, output: () => out };
      };
      const first = start();
      let second: ReturnType<typeof start> | undefined;
      const { events } = await readEventStream(`${buildUrl(r, repo)}?build_only=true`, {
        onEvent: (e) => {
          if (ticks([e]).includes(3) && !second) {
            first.child.kill('SIGKILL');
            second = start();
          }
        },
      });
      expect(last(events).phase, JSON.stringify(last(events).data)).toBe('ready');
      expect(ticks(events)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(second!.output()).toMatch(/build pod already exists; attaching/);
      const creates = env.recorder.calls.filter(
        (c) => c.method === 'POST' && podsPath(env.ns.name).test(c.path) && c.status === 409,
      );
      expect(creates.length).toBeGreaterThanOrEqual(1);
    } finally {
      await r.close();
    }
  }, 300_000);
});
