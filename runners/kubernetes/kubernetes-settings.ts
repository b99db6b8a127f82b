import type { V1Toleration } from '@kubernetes/client-node';
import type { Config } from '../../queue/config/index.js';
import { buildTimeLimits, type BuildTimeLimits } from '../build-time-limits.js';

/** Everything the Kubernetes backend reads from configuration, timings in ms. */
export interface KubernetesBackendSettings extends BuildTimeLimits {
  namespace: string;
  buildImage: string;
  imagePullSecrets: string[];
  dockerHost: string | null;
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  extraEnvs: Record<string, string>;
  /** Lines of log fetched when attaching to a running build (0 = all). */
  logTailLines: number;
  stickyBuilds: boolean;
  imageBuilderSelector: string;
  pushSecret: string;
  /** ConfigMap with repo2docker's configuration (content-provider-config.ts), mounted in build pods. */
  repo2dockerConfigMap: string;
  registryCredentials: Record<string, string>;
  /** Build pods in the node's network namespace (clusters without a pod network). */
  hostNetwork: boolean;
  /** Build pods' service account ('' = the namespace's default). */
  serviceAccount: string;
  cleanerEnabled: boolean;
  cleanerMaxAgeMs: number;
  cleanupIntervalMs: number;
  /** Server-side timeout of each watch request (it is restarted when it ends). */
  watchTimeoutSeconds: number;
  /** First wait after a failed API call (doubles on repeats). */
  retryDelayMs: number;
  /** After the pod ends, how long to wait for the rest of its log. */
  drainTimeoutMs: number;
}

/** Settings from the validated configuration (upstream trait names). */
export function kubernetesSettings(config: Config): KubernetesBackendSettings {
  const k = config.KubernetesBuildExecutor;
  return {
    namespace: k.namespace,
    buildImage: k.build_image,
    imagePullSecrets: k.image_pull_secrets,
    dockerHost: k.docker_host,
    resources: k.resources,
    nodeSelector: k.node_selector,
    tolerations: k.tolerations,
    extraEnvs: k.extra_envs,
    logTailLines: k.log_tail_lines,
    stickyBuilds: k.sticky_builds,
    imageBuilderSelector: k.image_builder_selector,
    pushSecret: k.push_secret,
    repo2dockerConfigMap: k.repo2docker_config_map,
    registryCredentials: k.registry_credentials,
    hostNetwork: k.host_network,
    serviceAccount: k.service_account,
    ...buildTimeLimits(config.BuildExecutor),
    cleanerEnabled: config.KubernetesCleaner.enabled,
    cleanerMaxAgeMs: config.KubernetesCleaner.max_age * 1000,
    cleanupIntervalMs: config.BinderHub.build_cleanup_interval * 1000,
    watchTimeoutSeconds: 30,
    retryDelayMs: 1000,
    drainTimeoutMs: 10_000,
  };
}
