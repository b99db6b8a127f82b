import type { CoreV1Api, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { CREDENTIALS_ENV, CREDENTIALS_FILE_ENV } from '../../queue/url-policy/credential-helper.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';

/** Where a build pod mounts its git credentials Secret (read-only, the file mode 0400). */
export const GIT_CREDENTIALS_DIR = '/etc/binderhub-ts/git-credentials';
/** The Secret's key, and the file name under GIT_CREDENTIALS_DIR. */
export const GIT_CREDENTIALS_KEY = 'credentials';

/** The per-build Secret holding a build pod's git credentials. */
export const gitCredentialsSecretName = (podName: string) => `${podName}-git-credentials`;

/**
 * repo2docker's environment for a build pod: the same as for any backend, but the
 * credential lines (CREDENTIALS_ENV) replaced by the file the pod mounts from its
 * Secret (the one credential helper reads either). `credentials`: those lines, or
 * undefined when the build has none (no Secret then).
 */
export function podGitEnv(contentEnv: Record<string, string>): {
  env: Record<string, string>;
  credentials: string | undefined;
} {
  const { [CREDENTIALS_ENV]: credentials, ...env } = contentEnv;
  if (credentials === undefined) return { env, credentials };
  return {
    env: { ...env, [CREDENTIALS_FILE_ENV]: `${GIT_CREDENTIALS_DIR}/${GIT_CREDENTIALS_KEY}` },
    credentials,
  };
}

/** The Secret for a build pod as created (`pod` with its uid): owned by it, so it goes with it. */
export function gitCredentialsSecret(pod: V1Pod, credentials: string): V1Secret {
  const name = pod.metadata!.name!;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: gitCredentialsSecretName(name),
      labels: { ...pod.metadata?.labels },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid: pod.metadata!.uid! }],
    },
    // Lines end with a newline: git's credential protocol reads them one by one.
    stringData: { [GIT_CREDENTIALS_KEY]: `${credentials.trimEnd()}\n` },
  };
}

export interface GitCredentialsSecretOptions {
  api: CoreV1Api;
  namespace: string;
  log: Logger;
}

async function deleteSecret(o: GitCredentialsSecretOptions, name: string): Promise<void> {
  await o.api.deleteNamespacedSecret({ name, namespace: o.namespace }).catch((err: unknown) => {
    if (kubeStatusCode(err) !== 404) throw err;
  });
}

/**
 * Gives a build pod its credentials Secret. For a pod this runner just created, any
 * Secret of that name is a leftover (of an earlier pod of the same build, not yet
 * collected): it is replaced. For a pod attached to (a build already running), the
 * Secret its creator made is left as it is; only a missing one (its creator stopped
 * before making it, so the pod waits for its volume) is created. Throws a Kubernetes
 * API error when the Secret cannot be made.
 */
export async function ensureGitCredentialsSecret(
  o: GitCredentialsSecretOptions,
  pod: V1Pod,
  credentials: string,
  created: boolean,
): Promise<void> {
  const body = gitCredentialsSecret(pod, credentials);
  const name = body.metadata!.name!;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await o.api.createNamespacedSecret({ namespace: o.namespace, body });
      o.log.info({ secret: name }, 'git credentials Secret created');
      return;
    } catch (err) {
      if (kubeStatusCode(err) !== 409) throw err;
    }
    if (!created) return;
    o.log.info({ secret: name }, 'replacing a leftover git credentials Secret');
    await deleteSecret(o, name);
  }
  throw new Error(`the Secret ${name} kept coming back while it was being replaced`);
}

/** Deletes a build pod's credentials Secret; one already gone is fine, a failure is logged. */
export async function deleteGitCredentialsSecret(
  o: GitCredentialsSecretOptions,
  podName: string,
): Promise<void> {
  try {
    await deleteSecret(o, gitCredentialsSecretName(podName));
  } catch (err) {
    o.log.warn(
      { err: kubeErrorMessage(err) },
      'could not delete the git credentials Secret (it goes with its pod)',
    );
  }
}
