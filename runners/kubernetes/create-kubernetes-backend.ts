import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import { KubernetesBuildBackend } from './kubernetes-build-backend.js';
import { kubernetesSettings } from './kubernetes-settings.js';
import { checkBuildServiceAccount, ownServiceAccount } from './own-service-account.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Where the Kubernetes API is: `KubernetesBuildExecutor.kubeconfig` when set, else the
 * pod's service account (in a cluster), else the default kubeconfig ($KUBECONFIG,
 * ~/.kube/config).
 */
export function loadKubeConfig(
  path: string,
  inCluster = existsSync(SERVICE_ACCOUNT_TOKEN),
): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/**
 * The Kubernetes build backend for `Runner.backend: kubernetes`. Refuses (ConfigError)
 * to give build pods the runner's own service account when it runs in a pod.
 */
export function createKubernetesBackend(
  config: Config,
  log: Logger,
  kubeConfig: KubeConfig = loadKubeConfig(config.KubernetesBuildExecutor.kubeconfig),
  tokenPath = SERVICE_ACCOUNT_TOKEN,
): KubernetesBuildBackend {
  const settings = kubernetesSettings(config);
  checkBuildServiceAccount(settings, ownServiceAccount(tokenPath));
  return new KubernetesBuildBackend({
    kubeConfig,
    settings,
    log: log.child({ backend: 'kubernetes' }),
  });
}
