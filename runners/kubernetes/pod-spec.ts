import type { V1Affinity, V1EnvVar, V1Pod, V1Toleration, V1Volume } from '@kubernetes/client-node';
import type { V1VolumeMount } from '@kubernetes/client-node';
import { BUILD_COMPONENT, BUILDER_CONTAINER } from './build-pod-labels.js';
import {
  BUILDER_SECURITY_CONTEXT,
  buildPodIsolation,
  type BuildPodIsolation,
} from './build-pod-security.js';
import { GIT_CREDENTIALS_DIR, GIT_CREDENTIALS_VOLUME } from './git-credentials-secret.js';

/** Everything that decides a build pod; all of it comes from config and the build request. */
export interface BuildPodOptions extends BuildPodIsolation {
  /** The build name: pod name and `name` label (the Kubernetes name is the build's lock). */
  name: string;
  repoUrl: string;
  /** The container's args: `jupyter-repo2docker` and its options, repo URL last. */
  args: string[];
  buildImage: string;
  /** Docker socket on the node (`unix://` URLs allowed); null = no socket mounted. */
  dockerHost: string | null;
  /** Secret with `config.json` for pushing; '' = none. */
  pushSecret: string;
  /** ConfigMap with repo2docker's configuration, mounted at REPO2DOCKER_CONFIG_DIR. */
  repo2dockerConfigMap: string;
  registryCredentials: Record<string, string>;
  /**
   * repo2docker's environment: the content provider, the guard, git's settings
   * (`ContentAccess.env`, its credential lines replaced by their file: `podGitEnv`).
   */
  contentEnv?: Record<string, string>;
  /** The build's git credentials Secret, mounted at GIT_CREDENTIALS_DIR; '' or unset = none. */
  gitCredentialsSecret?: string;
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  imagePullSecrets: string[];
  extraEnvs: Record<string, string>;
  affinity: V1Affinity;
}

/** Where build pods mount the repo2docker configuration ConfigMap (read-only). */
export const REPO2DOCKER_CONFIG_DIR = '/etc/binderhub-ts/repo2docker';

/** Path part of `docker_host`, as upstream's `urlparse(docker_host).path`. */
export function dockerSocketPath(dockerHost: string): string {
  return dockerHost.includes('://') ? new URL(dockerHost).pathname : dockerHost;
}

function volumesFor(o: BuildPodOptions): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  if (o.dockerHost !== null) {
    mounts.push({ mountPath: '/var/run/docker.sock', name: 'docker-socket' });
    volumes.push({
      name: 'docker-socket',
      hostPath: { path: dockerSocketPath(o.dockerHost), type: 'Socket' },
    });
  }
  if (Object.keys(o.registryCredentials).length === 0 && o.pushSecret) {
    mounts.push({
      mountPath: '/root/.docker/config.json',
      name: 'docker-config',
      subPath: 'config.json',
    });
    volumes.push({ name: 'docker-config', secret: { secretName: o.pushSecret } });
  }
  mounts.push({ mountPath: REPO2DOCKER_CONFIG_DIR, name: 'repo2docker-config', readOnly: true });
  volumes.push({ name: 'repo2docker-config', configMap: { name: o.repo2dockerConfigMap } });
  if (o.gitCredentialsSecret) {
    mounts.push({ mountPath: GIT_CREDENTIALS_DIR, name: GIT_CREDENTIALS_VOLUME, readOnly: true });
    // 0400: read by repo2docker (root) only. The kubelet waits for the Secret to exist.
    volumes.push({
      name: GIT_CREDENTIALS_VOLUME,
      secret: { secretName: o.gitCredentialsSecret, defaultMode: 0o400 },
    });
  }
  return { volumes, mounts };
}

/**
 * A flat string map as Python's `json.dumps` writes it (`{"a": "b", "c": "d"}`, non-ASCII
 * escaped), so the variable is byte-identical to upstream's.
 */
export function pythonJsonDumps(map: Record<string, string>): string {
  const str = (v: string) =>
    JSON.stringify(v).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `{${Object.entries(map)
    .map(([k, v]) => `${str(k)}: ${str(v)}`)
    .join(', ')}}`;
}

function envFor(o: BuildPodOptions): V1EnvVar[] {
  const env: V1EnvVar[] = Object.entries(o.extraEnvs).map(([name, value]) => ({ name, value }));
  for (const [name, value] of Object.entries(o.contentEnv ?? {})) env.push({ name, value });
  if (Object.keys(o.registryCredentials).length > 0) {
    env.push({
      name: 'CONTAINER_ENGINE_REGISTRY_CREDENTIALS',
      value: pythonJsonDumps(o.registryCredentials),
    });
  }
  return env;
}

/**
 * The build pod as upstream's KubernetesBuildExecutor submits it (field for field),
 * plus `apiVersion`/`kind` (the Python client leaves them to the server) and the
 * isolation of build-pod-security.ts (no token, a securityContext, own account) and the
 * repo2docker configuration (the ConfigMap, named in the args by the caller).
 */
export function buildPodSpec(o: BuildPodOptions): V1Pod {
  const { volumes, mounts } = volumesFor(o);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      labels: { name: o.name, component: BUILD_COMPONENT },
      annotations: { 'binder-repo': o.repoUrl },
    },
    spec: {
      containers: [
        {
          image: o.buildImage,
          name: BUILDER_CONTAINER,
          args: o.args,
          volumeMounts: mounts,
          resources: { limits: { ...o.resources.limits }, requests: { ...o.resources.requests } },
          env: envFor(o),
          securityContext: { ...BUILDER_SECURITY_CONTEXT },
        },
      ],
      tolerations: o.tolerations.map((t) => ({ ...t })),
      nodeSelector: { ...o.nodeSelector },
      volumes,
      restartPolicy: 'Never',
      affinity: o.affinity,
      imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })),
      ...buildPodIsolation(o),
    },
  };
}
