import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';

/** Deletes a build pod at once; one already gone is fine, another failure is logged (the cleaner retries). */
export async function deleteBuildPod(
  api: CoreV1Api,
  namespace: string,
  name: string,
  log: Logger,
): Promise<void> {
  try {
    await api.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  } catch (err) {
    if (kubeStatusCode(err) !== 404)
      log.warn({ err: kubeErrorMessage(err) }, 'could not delete the build pod (the cleaner will)');
  }
}
