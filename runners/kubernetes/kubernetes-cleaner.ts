import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { BUILD_POD_SELECTOR } from './build-pod-labels.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';
import { podStartedAt } from './pod-status.js';

export interface KubernetesCleanerOptions {
  api: CoreV1Api;
  namespace: string;
  /** Build pods older than this are deleted whatever their state (0 = never by age). */
  maxAgeMs: number;
  intervalMs: number;
  log: Logger;
  now?: () => number;
}

const FINISHED = new Set(['Failed', 'Succeeded', 'Evicted']);

/**
 * Upstream's KubernetesCleaner: every `BinderHub.build_cleanup_interval`, delete
 * build pods that finished (Succeeded, Failed, Evicted) and those that started more
 * than `KubernetesCleaner.max_age` ago. Pods that never started are aged by their
 * creation time (upstream skips them, so a pod stuck Pending was never cleaned).
 */
export class KubernetesCleaner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: KubernetesCleanerOptions) {}

  /** Why a pod should go, or undefined to keep it. */
  verdict(pod: V1Pod, now: number): string | undefined {
    const phase = pod.status?.phase ?? '';
    if (FINISHED.has(phase) || pod.status?.reason === 'Evicted') return pod.status?.reason ?? phase;
    const started = podStartedAt(pod);
    if (this.o.maxAgeMs && started !== undefined && now - started > this.o.maxAgeMs)
      return 'max_age';
    return undefined;
  }

  /** One pass; returns the names of the pods it deleted. */
  async cleanup(): Promise<string[]> {
    const { api, namespace, log } = this.o;
    const now = (this.o.now ?? Date.now)();
    const pods = (await api.listNamespacedPod({ namespace, labelSelector: BUILD_POD_SELECTOR }))
      .items;
    const deleted: string[] = [];
    for (const pod of pods) {
      const name = pod.metadata?.name;
      const why = this.verdict(pod, now);
      if (!name || !why) continue;
      const repo = pod.metadata?.annotations?.['binder-repo'] ?? 'unknown';
      log.info({ pod: name, repo, why }, 'deleting build pod');
      try {
        await api.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
        deleted.push(name);
      } catch (err) {
        if (kubeStatusCode(err) !== 404)
          log.warn({ pod: name, err: kubeErrorMessage(err) }, 'delete failed');
      }
    }
    if (deleted.length) log.info(`deleted ${deleted.length}/${pods.length} build pods`);
    return deleted;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.cleanup()
        .catch((err: unknown) =>
          this.o.log.warn({ err: kubeErrorMessage(err) }, 'build pod cleanup failed'),
        )
        .finally(() => (this.running = undefined));
    }, this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
