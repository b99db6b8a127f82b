import { z } from 'zod';
import { seconds } from './common.js';

/** A pod toleration, as in the Kubernetes API (camelCase field names). */
const toleration = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Equal', 'Exists']).optional(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

/** The two tolerations upstream's build pods always carry (user-dedicated nodes). */
export const UPSTREAM_BUILD_TOLERATIONS = [
  { key: 'hub.jupyter.org/dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
  { key: 'hub.jupyter.org_dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
] as const;

/** `KubernetesBuildExecutor.*` — build pods (upstream names). */
export const kubernetesBuildExecutorSection = z
  .object({
    /** Namespace of build pods (`$BUILD_NAMESPACE`, else `default`). */
    namespace: z.string().default('default'),
    build_image: z.string().default('quay.io/jupyterhub/repo2docker:2024.07.0'),
    image_pull_secrets: z.array(z.string()).default([]),
    /** Docker socket on the node mounted into the build pod; null = none (dind/podman builders). */
    docker_host: z.string().nullable().default('/var/run/docker.sock'),
    resources: z
      .object({
        limits: z.record(z.string(), z.string()).default({}),
        requests: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .prefault({}),
    node_selector: z.record(z.string(), z.string()).default({}),
    /** Tolerations of build pods; default upstream's two `hub.jupyter.org/dedicated=user`. */
    tolerations: z
      .array(toleration)
      .default(() => UPSTREAM_BUILD_TOLERATIONS.map((t) => ({ ...t }))),
    extra_envs: z.record(z.string(), z.string()).default({}),
    /** Log lines fetched when attaching to a build pod that was already running. */
    log_tail_lines: z.number().int().nonnegative().default(100),
    /** Prefer the node picked by rendezvous hashing of the repo URL over image-builder pods. */
    sticky_builds: z.boolean().default(false),
    /** Label selector of the image-builder (dind/podman) pods sticky builds pick nodes from. */
    image_builder_selector: z.string().default('component=image-builder,app=binder'),
    push_secret: z.string().default('binder-build-docker-config'),
    /**
     * ConfigMap (in the build namespace) with repo2docker's configuration,
     * `repo2docker_config.py` (the chart creates it): mounted into every build pod, which
     * runs repo2docker with it (only the job's content provider, the address guard).
     */
    repo2docker_config_map: z.string().min(1).default('binder-repo2docker-config'),
    registry_credentials: z.record(z.string(), z.string()).default({}),
    /**
     * Path of a kubeconfig file. '' = in-cluster configuration when running in a pod
     * (service-account token present), else the default kubeconfig (`$KUBECONFIG`, ~/.kube/config).
     */
    kubeconfig: z.string().default(''),
    /**
     * Run build pods in the node's network namespace. Off by default; for clusters
     * without a pod network (the local single-node cluster of scripts/kube.sh).
     */
    host_network: z.boolean().default(false),
    /**
     * Service account of build pods ('' = the namespace's `default`). Never the
     * runner's: build pods run untrusted code (their token is not mounted either way).
     */
    service_account: z.string().default(''),
  })
  .strict();

/** `KubernetesCleaner.*` — deletes finished build pods and those older than `max_age`. */
export const kubernetesCleanerSection = z
  .object({
    /** Seconds after its start a build pod is deleted, whatever its state (0 = never). */
    max_age: seconds().default(14400),
    /** false = this runner does not run the cleaner (another process does). */
    enabled: z.boolean().default(true),
  })
  .strict();
