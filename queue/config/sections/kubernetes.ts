import { z } from 'zod';
import { seconds } from './common.js';

/** `KubernetesBuildExecutor.*` — build pods (upstream names). */
export const kubernetesBuildExecutorSection = z
  .object({
    namespace: z.string().default('default'),
    build_image: z.string().default('quay.io/jupyterhub/repo2docker:2024.07.0'),
    image_pull_secrets: z.array(z.string()).default([]),
    docker_host: z.string().nullable().default('/var/run/docker.sock'),
    resources: z
      .object({
        limits: z.record(z.string(), z.string()).default({}),
        requests: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .prefault({}),
    node_selector: z.record(z.string(), z.string()).default({}),
    extra_envs: z.record(z.string(), z.string()).default({}),
    log_tail_lines: z.number().int().nonnegative().default(100),
    sticky_builds: z.boolean().default(false),
    push_secret: z.string().default('binder-build-docker-config'),
    registry_credentials: z.record(z.string(), z.string()).default({}),
    /** Path of a kubeconfig file; '' = in-cluster configuration, else the default kubeconfig. */
    kubeconfig: z.string().default(''),
  })
  .strict();

/** `KubernetesCleaner.*` */
export const kubernetesCleanerSection = z
  .object({
    max_age: seconds().default(14400),
  })
  .strict();
