import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../queue/config/index.js';
import {
  createKubernetesBackend,
  loadKubeConfig,
} from '../../runners/kubernetes/create-kubernetes-backend.js';
import { kubernetesSettings } from '../../runners/kubernetes/kubernetes-settings.js';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';
import { NS, buildRequest, recorder, testLogger, waitFor } from './kube-test-env.js';

describe('Kubernetes backend configuration', () => {
  let server: FakeKubeApiServer;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    server = new FakeKubeApiServer();
    const url = await server.start();
    dir = mkdtempSync(join(tmpdir(), 'k8s-config-'));
    kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: stand-in, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: runner, user: {token: abc}}]',
        `contexts: [{name: ctx, context: {cluster: stand-in, user: runner, namespace: ${NS}}}]`,
        'current-context: ctx',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('defaults follow upstream (image, push secret, docker socket, tolerations, cleaner)', () => {
    const s = kubernetesSettings(parseConfig({}));
    expect(s).toMatchObject({
      namespace: 'default',
      buildImage: 'quay.io/jupyterhub/repo2docker:2024.07.0',
      pushSecret: 'binder-build-docker-config',
      dockerHost: '/var/run/docker.sock',
      logTailLines: 100,
      stickyBuilds: false,
      cleanerMaxAgeMs: 14_400_000,
      cleanupIntervalMs: 60_000,
    });
    expect(s.tolerations.map((t) => t.key)).toEqual([
      'hub.jupyter.org/dedicated',
      'hub.jupyter.org_dedicated',
    ]);
  });

  it('reads upstream’s trait names, deprecated BinderHub.* names and BUILD_NAMESPACE', () => {
    const config = parseConfig(
      {
        BinderHub: { build_image: 'r2d:1', build_max_age: 3600, build_cleanup_interval: 30 },
        KubernetesBuildExecutor: {
          docker_host: null,
          node_selector: { pool: 'build' },
          tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
        },
        BuildExecutor: { idle_timeout: 120 },
      },
      { BUILD_NAMESPACE: 'builds' },
    );
    const s = kubernetesSettings(config);
    expect(s).toMatchObject({
      namespace: 'builds',
      buildImage: 'r2d:1',
      dockerHost: null,
      nodeSelector: { pool: 'build' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      idleTimeoutMs: 120_000,
      cleanerMaxAgeMs: 3_600_000,
      cleanupIntervalMs: 30_000,
    });
  });

  it('rejects a bad toleration with the trait named', () => {
    expect(() =>
      parseConfig({ KubernetesBuildExecutor: { tolerations: [{ effect: 'Sometimes' }] } }),
    ).toThrow(/KubernetesBuildExecutor\.tolerations\.0\.effect/);
  });

  it('createKubernetesBackend(config, log) talks to the cluster its kubeconfig names', async () => {
    const config = parseConfig({
      KubernetesBuildExecutor: { kubeconfig, namespace: NS },
      KubernetesCleaner: { enabled: false },
    });
    const backend = createKubernetesBackend(config, testLogger().log);
    try {
      expect(backend.name).toBe('kubernetes');
      expect(await backend.builderInfo()).toEqual({
        build_image: 'quay.io/jupyterhub/repo2docker:2024.07.0',
      });
      const req = buildRequest();
      const run = backend.run(req, recorder().emit, new AbortController().signal);
      await waitFor('pod', () => server.state.get(NS, req.job.buildName));
      const created = server.requests.find((r) => r.method === 'POST')!;
      expect(created.path).toBe(`/api/v1/namespaces/${NS}/pods`);
      server.setPhase(NS, req.job.buildName, 'Succeeded');
      await run;
    } finally {
      await backend.close();
    }
  });

  it('refuses to give build pods the runner’s own service account (in a pod)', () => {
    const jwt = (sub: string) =>
      ['{"alg":"RS256"}', JSON.stringify({ sub }), 'sig']
        .map((p) => Buffer.from(p).toString('base64url'))
        .join('.');
    const token = join(dir, 'token');
    writeFileSync(token, jwt('system:serviceaccount:binder:binder-runner'));
    const make = (k: Record<string, unknown>) =>
      createKubernetesBackend(
        parseConfig({
          KubernetesBuildExecutor: { kubeconfig, namespace: 'binder', ...k },
          KubernetesCleaner: { enabled: false },
        }),
        testLogger().log,
        undefined,
        token,
      );
    expect(() => make({ service_account: 'binder-runner' })).toThrow(
      "build pods would run as this runner's own service account binder/binder-runner",
    );
    writeFileSync(token, jwt('system:serviceaccount:binder:default'));
    expect(() => make({})).toThrow(ConfigError); // '' = the namespace's default
    void make({ service_account: 'binder-build' }).close();
    void make({ namespace: 'builds' }).close(); // another namespace's default
  });

  it('loadKubeConfig: a kubeconfig path wins; otherwise in-cluster when a service account is mounted', () => {
    expect(loadKubeConfig(kubeconfig).getCurrentCluster()?.server).toBe(server.url());
    const prev = {
      host: process.env.KUBERNETES_SERVICE_HOST,
      port: process.env.KUBERNETES_SERVICE_PORT,
    };
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    try {
      expect(loadKubeConfig('', true).getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = prev.host;
      process.env.KUBERNETES_SERVICE_PORT = prev.port;
      if (prev.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (prev.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });
});
