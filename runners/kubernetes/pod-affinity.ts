import type { V1Affinity } from '@kubernetes/client-node';
import { BUILD_COMPONENT } from './build-pod-labels.js';

/**
 * The build pod's affinity, as upstream's `get_affinity`: with a sticky node, a
 * preferred node affinity for it (the repository's layer cache lives there); else a
 * preferred anti-affinity that spreads build pods over nodes.
 */
export function buildPodAffinity(stickyNode: string | undefined): V1Affinity {
  if (stickyNode) {
    return {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            preference: {
              matchExpressions: [
                { key: 'kubernetes.io/hostname', operator: 'In', values: [stickyNode] },
              ],
            },
          },
        ],
      },
    };
  }
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { component: BUILD_COMPONENT } },
          },
        },
      ],
    },
  };
}
