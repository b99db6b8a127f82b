import type { CoreV1Api, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { CREDENTIALS_ENV, CREDENTIALS_FILE_ENV } from '../../queue/url-policy/credential-helper.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';

/** Where a build pod mounts its git credentials Secret (read-only, the file mode 0400). */
export const GIT_CREDENTIALS_DIR = '/etc/binderhub-ts/git-credentials';
/** The Secret's key, and the file name under GIT_CREDENTIALS_DIR. */
export const GIT_CREDENTIALS_KEY = 'credentials';

/** The build pod's volume of the Secret. */
export const GIT_CREDENTIALS_VOLUME = 'git-credentials';

/**
 * A name for the Secret of a build pod about to be created: the pod's, plus a part of
 * its own (`suffix`, random), so a Secret left by an earlier pod of the same build
 * (not yet collected) is never the one the new pod mounts.
 */
export const gitCredentialsSecretName = (podName: string, suffix: string) =>
  `${podName}-git-credentials-${suffix}`;

/** The credentials Secret a build pod mounts (from its spec), or undefined. */
export function gitCredentialsSecretOf(pod: V1Pod): string | undefined {
  return pod.spec?.volumes?.find((v) => v.name === GIT_CREDENTIALS_VOLUME)?.secret?.secretName;
}

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

/**
 * The Secret a build pod (as the API server has it: with its uid) mounts: owned by the
 * pod, so it goes with it. Undefined for a pod that mounts none.
 */
export function gitCredentialsSecret(pod: V1Pod, credentials: string): V1Secret | undefined {
  const secretName = gitCredentialsSecretOf(pod);
  if (!secretName) return undefined;
  const name = pod.metadata!.name!;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: secretName,
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

/**
 * Gives a build pod the credentials Secret its spec names, unless it exists: for a pod
 * this runner created it does not yet (its name is new); for a pod attached to (a
 * build already running), the Secret its creator made is left as it is, and only a
 * missing one (its creator stopped before making it: the pod waits for its volume) is
 * created. Returns the Secret's name (undefined: the pod mounts none). Throws a
 * Kubernetes API error when the Secret cannot be made.
 */
export async function ensureGitCredentialsSecret(
  o: GitCredentialsSecretOptions,
  pod: V1Pod,
  credentials: string,
): Promise<string | undefined> {
  const body = gitCredentialsSecret(pod, credentials);
  if (!body) return undefined;
  const name = body.metadata!.name!;
  try {
    await o.api.createNamespacedSecret({ namespace: o.namespace, body });
    o.log.info({ secret: name }, 'git credentials Secret created');
  } catch (err) {
    if (kubeStatusCode(err) !== 409) throw err;
    o.log.info({ secret: name }, 'the build pod has its git credentials Secret already');
  }
  return name;
}

/** Deletes a build pod's credentials Secret; one already gone is fine, a failure is logged. */
export async function deleteGitCredentialsSecret(
  o: GitCredentialsSecretOptions,
  name: string,
): Promise<void> {
  try {
    await o.api.deleteNamespacedSecret({ name, namespace: o.namespace });
  } catch (err) {
    if (kubeStatusCode(err) !== 404)
      o.log.warn(
        { err: kubeErrorMessage(err) },
        'could not delete the git credentials Secret (it goes with its pod)',
      );
  }
}
