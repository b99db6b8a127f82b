/**
 * Set-up for tests of the Kubernetes backend on the real local cluster: a namespace
 * with the chart's RBAC, an ApiRecorder between the runner and the API server, build
 * requests for repositories served on loopback, and a backend whose build pods run
 * repo2docker (hostNetwork) against the stack's Docker engine.
 */
import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { parseConfig } from '../../../queue/config/index.js';
import type { BuildJob } from '../../../queue/index.js';
import { contentAccessFor, type ContentAccess } from '../../../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../../../queue/repo-specs/repo-spec-for.js';
import type { BuildRequest } from '../../../runners/build-backend.js';
import { KubernetesBuildBackend } from '../../../runners/kubernetes/kubernetes-build-backend.js';
import type { KubernetesBackendSettings } from '../../../runners/kubernetes/kubernetes-settings.js';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { serveGitRepo, stackInfo, type ServedGitRepo } from '../../helpers/stack.js';
import { testLogger, testSettings } from '../kube-test-env.js';
import { ApiRecorder } from './api-recorder.js';
import {
  BUILD_IMAGE,
  createTestNamespace,
  type Cluster,
  type TestNamespace,
} from './real-cluster.js';

export interface ClusterTestEnv {
  ns: TestNamespace;
  recorder: ApiRecorder;
  log: ReturnType<typeof testLogger>['log'];
  logLines: string[];
  /** The pod as the API server has it now (admin view), or undefined. */
  pod(name: string): Promise<V1Pod | undefined>;
  backend(over?: Partial<KubernetesBackendSettings>): KubernetesBuildBackend;
  close(): Promise<void>;
}

/** Settings of a runner on the local cluster (backend tests set the rest). */
export function clusterSettings(ns: TestNamespace): Partial<KubernetesBackendSettings> {
  return {
    namespace: ns.name,
    buildImage: BUILD_IMAGE,
    hostNetwork: true,
    serviceAccount: ns.buildServiceAccount,
    dockerHost: stackInfo().dockerHost,
    pushSecret: '',
    tolerations: [],
  };
}

export async function startClusterTestEnv(c: Cluster): Promise<ClusterTestEnv> {
  let recorder: ApiRecorder | undefined;
  const ns = await createTestNamespace(c, async (apiserver, ca) => {
    recorder = new ApiRecorder(apiserver, ca);
    return recorder.start();
  });
  const { log, lines } = testLogger();
  const backends: KubernetesBuildBackend[] = [];
  return {
    ns,
    recorder: recorder!,
    log,
    logLines: lines,
    async pod(name) {
      return ns.adminApi.readNamespacedPod({ name, namespace: ns.name }).catch(() => undefined);
    },
    backend(over = {}) {
      const settings = testSettings({ ...clusterSettings(ns), retryDelayMs: 500, ...over });
      const b = new KubernetesBuildBackend({ kubeConfig: ns.runner, settings, log });
      backends.push(b);
      return b;
    },
    async close() {
      await Promise.all(backends.map((b) => b.close()));
      await recorder?.stop();
      await ns.close();
    },
  };
}

/** The runner's own access for a test repository on loopback (the URL policy on). */
async function contentFor(job: BuildJob): Promise<ContentAccess> {
  const config = parseConfig({ GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] } });
  return contentAccessFor(config, repoSpecFor(config, job.provider, job.spec)!, job.ref);
}

/** A build of `repo` at its current commit (pushed nowhere unless `push`). */
export async function repoBuild(
  repo: ServedGitRepo,
  push = false,
  over: Partial<BuildJob> = {},
): Promise<BuildRequest> {
  const id = randomUUID().slice(0, 8);
  const sha = repo.sha;
  const job: BuildJob = {
    buildName: `build-k8s-${id}-${sha.slice(0, 8)}`,
    image: `${stackInfo().imagePrefix}k8s-${id}:${sha}`,
    provider: 'git',
    providerName: 'Git',
    spec: `${encodeURIComponent(repo.url)}/HEAD`,
    resolvedSpec: `${encodeURIComponent(repo.url)}/${sha}`,
    repoUrl: repo.url,
    ref: sha,
    trigger: 'launch',
    requestedAt: Date.now(),
    ...over,
  };
  return { job, content: await contentFor(job), push, appendix: '', extraArgs: [] };
}

/** A Dockerfile on the stack's base image whose first line defeats Docker's layer cache. */
export function dockerfile(...run: string[]): string {
  return [
    'FROM binderhub-ts/jupyter-base:1',
    `RUN echo "run ${randomUUID()}"`,
    ...run.map((r) => `RUN ${r}`),
    '',
  ].join('\n');
}

export const podsPath = (ns: string) => new RegExp(`^/api/v1/namespaces/${ns}/pods$`);

/** Polls an async condition every 100 ms until it holds (or throws after `ms`). */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A pod of the build image on the host network (the only network this cluster has). */
export function simplePod(name: string, args: string[], labels: Record<string, string>): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      hostNetwork: true,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'c', image: BUILD_IMAGE, imagePullPolicy: 'Never', args }],
    },
  };
}

/**
 * Hooks for a describe block of cluster tests: a fresh ClusterTestEnv per test (`env`),
 * and `serve(...run)` for a repository whose Dockerfile runs those steps (closed at the end).
 */
export function useClusterTestEnv(cluster: Cluster) {
  let env: ClusterTestEnv | undefined;
  const repos: ServedGitRepo[] = [];
  beforeEach(async () => {
    env = await startClusterTestEnv(cluster);
  });
  afterEach(async () => {
    await env?.close();
  });
  afterAll(async () => {
    for (const r of repos) await r.close();
  });
  return {
    env: () => env!,
    async serve(...run: string[]): Promise<ServedGitRepo> {
      const repo = await serveGitRepo({ Dockerfile: dockerfile(...run) });
      repos.push(repo);
      return repo;
    },
  };
}
