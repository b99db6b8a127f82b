import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_BUILD_TOLERATIONS } from '../../queue/config/sections/kubernetes.js';
import { credentialLines } from '../../queue/url-policy/credential-helper.js';
import { CONTENT_PROVIDER_ENV, type ContentAccess } from '../../queue/repo-specs/content-access.js';
import { gitAccess, gitEnv } from '../../queue/url-policy/git-access.js';
import {
  buildPodSpec,
  dockerSocketPath,
  pythonJsonDumps,
  REPO2DOCKER_CONFIG_DIR,
} from '../../runners/kubernetes/pod-spec.js';
import { KubernetesBuildBackend } from '../../runners/kubernetes/kubernetes-build-backend.js';
import { BUILDER_SECURITY_CONTEXT } from '../../runners/kubernetes/build-pod-security.js';
import {
  NS,
  buildRequest,
  kubeConfigFor,
  startKubeTestEnv,
  testLogger,
  testSettings,
} from './kube-test-env.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as {
    inputs: any;
    pod: any;
  };

/** What the runner hands a build for this repository (its host resolved to a public address). */
function contentFor(inputs: any): ContentAccess {
  const url = new URL(inputs.repo_url);
  const target = { url, port: 443, addresses: ['140.82.112.3'], address: '140.82.112.3' };
  const git = gitAccess(target, inputs.git_credentials && credentialLines(inputs.git_credentials));
  const settings = JSON.stringify({ provider: 'git', guard: {} });
  return { repo: git.cloneUrl, env: { ...gitEnv(git), [CONTENT_PROVIDER_ENV]: settings } };
}

function requestFor(inputs: any) {
  const req = buildRequest({
    buildName: inputs.name,
    repoUrl: inputs.repo_url,
    ref: inputs.ref,
    image: inputs.image_name,
  });
  return {
    ...req,
    content: contentFor(inputs),
    push: inputs.push,
    appendix: inputs.appendix ?? '',
    extraArgs: inputs.repo2docker_extra_args ?? [],
  };
}

/**
 * Upstream's pod with our deliberate differences: upstream's GIT_CREDENTIAL_ENV (which
 * the build image's helper offers to every host) gives way to the content provider, the
 * git settings and host-scoped credentials (`ContentAccess.env`), in the same place among
 * the variables; repo2docker runs with `--config` from the mounted ConfigMap (its only
 * content provider the job's, the address guard), mounted last.
 */
function withOurAdditions(pod: any, content: ContentAccess): any {
  const container = pod.spec.containers[0];
  const env: Array<{ name: string; value: string }> = container.env;
  const ours = Object.entries(content.env).map(([name, value]) => ({ name, value }));
  const at = env.findIndex((e) => e.name === 'GIT_CREDENTIAL_ENV');
  const registry = env.findIndex((e) => e.name === 'CONTAINER_ENGINE_REGISTRY_CREDENTIALS');
  const rest = env.filter((e) => e.name !== 'GIT_CREDENTIAL_ENV');
  const index = at >= 0 ? at : registry >= 0 ? registry : rest.length;
  rest.splice(index, 0, ...ours);
  const [command, ...args] = container.args as string[];
  const config = `--config=${REPO2DOCKER_CONFIG_DIR}/repo2docker_config.py`;
  const mounts = [
    ...container.volumeMounts,
    { mountPath: REPO2DOCKER_CONFIG_DIR, name: 'repo2docker-config', readOnly: true },
  ];
  const volumes = [
    ...pod.spec.volumes,
    { name: 'repo2docker-config', configMap: { name: 'binder-repo2docker-config' } },
  ];
  const ourContainer = {
    ...container,
    env: rest,
    args: [command, config, ...args],
    volumeMounts: mounts,
  };
  return { ...pod, spec: { ...pod.spec, volumes, containers: [ourContainer] } };
}

/**
 * Our additions to upstream's pod (build-pod-security.ts), checked and taken off so the
 * rest compares field by field: no service account token, the builder's securityContext.
 */
function withoutIsolation(pod: any): any {
  const { automountServiceAccountToken, ...spec } = pod.spec;
  expect(automountServiceAccountToken).toBe(false);
  const containers = spec.containers.map(({ securityContext, ...c }: any) => {
    expect(securityContext).toEqual(BUILDER_SECURITY_CONTEXT);
    return c;
  });
  return { ...pod, spec: { ...spec, containers } };
}

/** Compares every field, and names the first differing path (clearer than one big diff). */
function expectSameFields(actual: unknown, expected: unknown, path = 'pod'): void {
  if (expected && typeof expected === 'object') {
    expect(typeof actual, path).toBe('object');
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys)
      expectSameFields((actual as any)[k], (expected as any)[k], `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

describe('the build pod, field by field against upstream’s', () => {
  const tolerations = UPSTREAM_BUILD_TOLERATIONS.map((t) => ({ ...t }));

  it('default traits', async () => {
    const { inputs, pod } = fixture('upstream-build-pod-default.json');
    const backend = new KubernetesBuildBackend({
      kubeConfig: kubeConfigFor('http://127.0.0.1:1'),
      settings: testSettings({ tolerations }),
      log: testLogger().log,
    });
    const req = requestFor(inputs);
    const ours = await backend.podFor(req, testLogger().log);
    const { apiVersion, kind, ...rest } = ours;
    expect([apiVersion, kind]).toEqual(['v1', 'Pod']); // the Python client leaves these to the server
    expectSameFields(withoutIsolation(rest), withOurAdditions(pod, req.content));
  });

  it('every option, sticky builds on image-builder nodes included', async () => {
    const { inputs, pod } = fixture('upstream-build-pod-all-options.json');
    const t = inputs.traits;
    const env = await startKubeTestEnv();
    try {
      for (const node of inputs.image_builder_nodes as string[]) {
        env.server.state.create(NS, {
          metadata: { name: `dind-${node}`, labels: { app: 'binder', component: 'image-builder' } },
          spec: { nodeName: node, containers: [{ name: 'dind', image: 'docker:dind' }] },
        });
      }
      const backend = env.backend({
        buildImage: t.build_image,
        dockerHost: t.docker_host,
        pushSecret: t.push_secret,
        registryCredentials: t.registry_credentials,
        resources: t.resources,
        nodeSelector: t.node_selector,
        extraEnvs: t.extra_envs,
        imagePullSecrets: t.image_pull_secrets,
        stickyBuilds: t.sticky_builds,
        tolerations,
      });
      const req = requestFor(inputs);
      const { apiVersion: _a, kind: _k, ...ours } = await backend.podFor(req, env.log);
      expectSameFields(withoutIsolation(ours), withOurAdditions(pod, req.content));
      const vars = ours.spec!.containers[0]!.env!;
      expect(vars.find((v) => v.name === 'GIT_CREDENTIAL_ENV')).toBeUndefined();
      expect(vars.find((v) => v.name === 'BINDERHUB_GIT_CREDENTIALS_HOST')?.value).toBe(
        'github.com',
      );
    } finally {
      await env.close();
    }
  });

  const minimal = {
    name: 'build-x-1',
    repoUrl: 'https://example.org/r',
    args: ['jupyter-repo2docker', 'https://example.org/r'],
    buildImage: 'img',
    dockerHost: null,
    pushSecret: '',
    registryCredentials: {},
    resources: { limits: {}, requests: {} },
    nodeSelector: {},
    tolerations: [],
    imagePullSecrets: [],
    extraEnvs: {},
    affinity: {},
    hostNetwork: false,
    serviceAccount: '',
    repo2dockerConfigMap: 'r2d-config',
  };

  it('no docker socket for dind/podman-less builders (docker_host null), no push secret without --push', () => {
    const pod = buildPodSpec(minimal);
    // Only the repo2docker configuration.
    expect(pod.spec!.volumes).toEqual([
      { name: 'repo2docker-config', configMap: { name: 'r2d-config' } },
    ]);
    expect(pod.spec!.containers[0]!.volumeMounts).toEqual([
      { mountPath: REPO2DOCKER_CONFIG_DIR, name: 'repo2docker-config', readOnly: true },
    ]);
  });

  it('isolation: no token, no capabilities, its own account when set, hostNetwork only when set', () => {
    const plain = buildPodSpec(minimal).spec!;
    expect(plain.automountServiceAccountToken).toBe(false);
    expect(plain.containers[0]!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(plain).not.toHaveProperty('hostNetwork');
    expect(plain).not.toHaveProperty('serviceAccountName');
    const set = buildPodSpec({ ...minimal, hostNetwork: true, serviceAccount: 'binder-build' });
    expect(set.spec).toMatchObject({
      hostNetwork: true,
      serviceAccountName: 'binder-build',
      automountServiceAccountToken: false,
    });
  });

  it('takes the path of a docker_host URL as upstream’s urlparse does', () => {
    expect(dockerSocketPath('/var/run/docker.sock')).toBe('/var/run/docker.sock');
    expect(dockerSocketPath('unix:///var/run/pink/podman.sock')).toBe('/var/run/pink/podman.sock');
    expect(dockerSocketPath('http://mydockerregistry.local')).toBe('/');
  });

  it('writes registry credentials as Python’s json.dumps does', () => {
    expect(pythonJsonDumps({ registry: 'r', username: 'ü', password: 'p"q' })).toBe(
      '{"registry": "r", "username": "\\u00fc", "password": "p\\"q"}',
    );
  });
});

describe('a job carrying a user’s own token (private repository)', () => {
  it('is refused: the token would be in the build pod’s spec', async () => {
    const { inputs } = fixture('upstream-build-pod-default.json');
    const backend = new KubernetesBuildBackend({
      kubeConfig: kubeConfigFor('http://127.0.0.1:1'),
      settings: testSettings({}),
      log: testLogger().log,
    });
    const req = requestFor(inputs);
    const sealed = { ...req, job: { ...req.job, userToken: 'v1.sealed' } };
    await expect(backend.podFor(sealed, testLogger().log)).rejects.toThrow(
      /builds with your own credentials, which the Kubernetes build backend does not support yet/,
    );
  });
});
