import type { V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';

/**
 * The builder container runs repo2docker on untrusted repositories. It keeps root (it
 * talks to the node's Docker socket, which is owned by root) but nothing more: no
 * capabilities, no privilege escalation, the runtime's default seccomp profile.
 */
export const BUILDER_SECURITY_CONTEXT: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface BuildPodIsolation {
  hostNetwork: boolean;
  /** '' = the namespace's default account. */
  serviceAccount: string;
}

/**
 * Pod-level fields that keep a build pod away from the Kubernetes API: no service
 * account token is mounted, and its account (never the runner's) is named when set.
 * `hostNetwork` only when configured (clusters without a pod network).
 */
export function buildPodIsolation(o: BuildPodIsolation): Partial<V1PodSpec> {
  return {
    automountServiceAccountToken: false,
    ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
    ...(o.hostNetwork ? { hostNetwork: true } : {}),
  };
}
