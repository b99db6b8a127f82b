import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { kubeStatusCode } from './kube-api-error.js';
import { isTerminalPhase, podCreatedAt, podPhase } from './pod-status.js';

export interface CreateOrAttachOptions {
  api: CoreV1Api;
  namespace: string;
  pod: V1Pod;
  /** When the build was asked for: a finished pod older than that is left from an earlier build. */
  requestedAt: number;
  log: Logger;
  /** How long to wait for a pod being deleted to go (ms). */
  goneTimeoutMs?: number;
}

export type CreateOutcome = 'created' | 'attached';

/** What became of the pod, and the pod as the API server has it (with its uid). */
export interface CreateResult {
  outcome: CreateOutcome;
  pod: V1Pod;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readPod(o: CreateOrAttachOptions, name: string): Promise<V1Pod | undefined> {
  try {
    return await o.api.readNamespacedPod({ name, namespace: o.namespace });
  } catch (err) {
    if (kubeStatusCode(err) === 404) return undefined;
    throw err;
  }
}

async function deleteAndWait(o: CreateOrAttachOptions, name: string): Promise<void> {
  await o.api
    .deleteNamespacedPod({ name, namespace: o.namespace, gracePeriodSeconds: 0 })
    .catch((err: unknown) => {
      if (kubeStatusCode(err) !== 404) throw err;
    });
  const deadline = Date.now() + (o.goneTimeoutMs ?? 30_000);
  while ((await readPod(o, name)) && Date.now() < deadline) await sleep(250);
}

/**
 * Creates the build pod. Its name is the build's lock: 409 AlreadyExists means the
 * build already runs (another runner, or this one before a restart) and we attach to
 * it. A finished pod older than the request is a leftover (a failed earlier build not
 * yet cleaned up): it is deleted and the pod created afresh.
 */
export async function createOrAttach(o: CreateOrAttachOptions): Promise<CreateResult> {
  const name = o.pod.metadata!.name!;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const pod = await o.api.createNamespacedPod({ namespace: o.namespace, body: o.pod });
      return { outcome: 'created', pod };
    } catch (err) {
      if (kubeStatusCode(err) !== 409) throw err;
    }
    const existing = await readPod(o, name);
    if (!existing) continue; // deleted in between: create again
    const created = podCreatedAt(existing) ?? Date.now();
    // creationTimestamp has whole seconds: a second of slack keeps our own pod ours.
    const leftover = isTerminalPhase(podPhase(existing)) && created + 1000 <= o.requestedAt;
    if (existing.metadata?.deletionTimestamp || leftover) {
      o.log.info({ phase: podPhase(existing) }, 'replacing a leftover build pod');
      await deleteAndWait(o, name);
      continue;
    }
    o.log.info({ phase: podPhase(existing) }, 'build pod already exists; attaching');
    return { outcome: 'attached', pod: existing };
  }
  throw new Error(`build pod ${name} kept changing while it was being created`);
}
