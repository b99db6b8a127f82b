import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { BuildEvent, Logger } from '../../queue/index.js';
import type { EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { isFailureLine, parseLogLine } from '../log-line.js';
import { TimeLimitTimer } from '../time-limit-timer.js';
import { buildPodSelector } from './build-pod-labels.js';
import * as report from './build-pod-reports.js';
import { BuildSubscribers } from './build-subscribers.js';
import { createOrAttach } from './create-or-attach.js';
import { deleteBuildPod } from './delete-build-pod.js';
import {
  deleteGitCredentialsSecret,
  ensureGitCredentialsSecret,
  gitCredentialsSecretOf,
} from './git-credentials-secret.js';
import { kubeErrorMessage } from './kube-api-error.js';
import type { KubernetesBackendSettings } from './kubernetes-settings.js';
import { PodEventPositions } from './pod-event-positions.js';
import { PodLogStream } from './pod-log-stream.js';
import { PodWatcher, type PodEventType } from './pod-watcher.js';
import * as status from './pod-status.js';

export interface BuildPodSessionDeps {
  api: CoreV1Api;
  kubeConfig: KubeConfig;
  settings: KubernetesBackendSettings;
  log: Logger;
  /** The pod to create (computed lazily: sticky builds look up nodes first). */
  makePod(): Promise<V1Pod>;
  /** The build's git credential lines, for the pod's Secret (see git-credentials-secret.ts). */
  gitCredentials?: string | undefined;
  requestedAt: number;
  /** The session is over (finished or abandoned); the backend forgets it. */
  onClosed(): void;
}

/**
 * One build pod followed by this runner: create it (or attach: 409) and its git
 * credentials Secret (owned by the pod), watch it, stream its log from the first
 * Running, report the end to every waiting run, delete it (and the Secret).
 * Fails the build at its time limits (BuildExecutor.idle_timeout and max_age, counted
 * from the pod's creation: see build-time-limits.ts).
 */
export class BuildPodSession {
  readonly name: string;
  private readonly subs: BuildSubscribers;
  private watcher: PodWatcher | undefined;
  private logs: PodLogStream | undefined;
  private lastPod: V1Pod | undefined;
  private failureMessage: string | undefined;
  private reported = new Set<string>();
  private timeLimits: TimeLimitTimer | undefined;
  private drain: NodeJS.Timeout | undefined;
  private over = false;
  /** The git credentials Secret the pod mounts (deleted with it), once known. */
  private secretName: string | undefined;
  /** Stopped for good (see cancel): the pod is deleted, even one created after. */
  private cancelled = false;
  private readonly positions = new PodEventPositions();

  constructor(
    name: string,
    private readonly d: BuildPodSessionDeps,
  ) {
    this.name = name;
    this.subs = new BuildSubscribers(
      Math.max(d.settings.logTailLines, 100),
      (err) => d.log.warn({ err: err.message }, 'publishing a build event failed'),
      () => this.abandon(),
    );
  }

  join(emit: EmitEvent, signal: AbortSignal): Promise<void> {
    return this.subs.add(emit, signal);
  }

  async start(): Promise<void> {
    const { settings: s, log } = this.d;
    let created = false;
    try {
      const { outcome, pod } = await createOrAttach({
        api: this.d.api,
        namespace: s.namespace,
        pod: await this.d.makePod(),
        requestedAt: this.d.requestedAt,
        log,
      });
      created = outcome === 'created';
      log.info({ outcome }, created ? 'build pod created' : 'attached to build pod');
      this.secretName = gitCredentialsSecretOf(pod);
      // The pod waits (ContainerCreating) until its credentials volume can be mounted.
      if (this.d.gitCredentials !== undefined)
        await ensureGitCredentialsSecret(this.secretOptions(), pod, this.d.gitCredentials);
      this.logs = this.newLogStream(outcome === 'attached' ? s.logTailLines : undefined);
    } catch (err) {
      const why = kubeErrorMessage(err);
      // Our pod without its Secret would wait for it for ever.
      return this.finish(new BuildFailedError(`Could not start the build pod: ${why}`), created);
    }
    if (this.over) {
      // Cancelled while the pod was being created: it must not be left running.
      if (this.cancelled) await this.deletePod();
      return;
    }
    this.timeLimits = new TimeLimitTimer(s, (err) => void this.finish(err, true));
    this.watcher = new PodWatcher({
      kubeConfig: this.d.kubeConfig,
      api: this.d.api,
      namespace: s.namespace,
      labelSelector: buildPodSelector(this.name),
      onSync: (pods) => this.onSync(pods),
      onEvent: (type, pod) => this.onEvent(type, pod),
      log,
      timeoutSeconds: s.watchTimeoutSeconds,
      retryDelayMs: s.retryDelayMs,
    });
  }

  private newLogStream(tailLines: number | undefined): PodLogStream {
    return new PodLogStream({
      kubeConfig: this.d.kubeConfig,
      namespace: this.d.settings.namespace,
      podName: this.name,
      tailLines: tailLines || undefined,
      retryDelayMs: this.d.settings.retryDelayMs,
      log: this.d.log,
      onLine: (text, ts) => this.onLine(text, ts),
      isPodDone: () => status.isTerminalPhase(status.podPhase(this.lastPod)),
      onDrained: () => this.conclude(),
    });
  }

  private onSync(pods: V1Pod[]): void {
    const pod = pods.find((p) => p.metadata?.name === this.name);
    if (pod) return this.onPod(pod);
    // Gone while we were not watching: as good as a DELETED event.
    this.onEvent('DELETED', this.lastPod ?? { metadata: { name: this.name } });
  }

  private onEvent(type: PodEventType, pod: V1Pod): void {
    if (this.over) return;
    if (type !== 'DELETED') return this.onPod(pod);
    if (status.podPhase(pod) === 'Succeeded' || status.podPhase(this.lastPod) === 'Succeeded') {
      this.lastPod = pod.status ? pod : this.lastPod;
      return void this.conclude();
    }
    void this.finish(report.deletedPodError(this.name, pod), false);
  }

  private onPod(pod: V1Pod): void {
    if (this.over) return;
    // Deleted by someone else (an operator, the cleaner): the kubelet is stopping
    // repo2docker, whose exit would otherwise read as an ordinary build failure.
    if (pod.metadata?.deletionTimestamp && status.podPhase(pod) !== 'Succeeded')
      return this.onEvent('DELETED', pod);
    this.lastPod = pod;
    this.timeLimits?.started(status.podCreatedAt(pod) ?? Date.now());
    const phase = status.podPhase(pod);
    if (phase === 'Pending') return this.onPending(pod);
    if (phase === 'Running') return this.logs?.ensure();
    if (phase === 'Unknown') return this.reportOnce('unknown', report.unknownPodEvent(this.name));
    if (status.isTerminalPhase(phase)) {
      this.logs?.ensure();
      this.drain ??= setTimeout(() => void this.conclude(), this.d.settings.drainTimeoutMs);
    }
  }

  private onPending(pod: V1Pod): void {
    const waiting = report.waitingPodReport(pod);
    if (waiting && 'fail' in waiting) return void this.finish(waiting.fail, true);
    if (waiting) this.reportOnce(waiting.reason, waiting.event);
  }

  private reportOnce(key: string, event: BuildEvent): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.subs.broadcast(event, this.positions.next(this.lastPod, undefined));
  }

  private onLine(text: string, ts: string | undefined): void {
    if (this.over) return;
    this.timeLimits?.output();
    const event = parseLogLine(text);
    if (!event) return;
    if (isFailureLine(event))
      this.failureMessage = event.message?.trim() || 'repo2docker reported a failure';
    this.subs.broadcast(event, this.positions.next(this.lastPod, ts));
  }

  /** The pod ended and its log is read (or the drain timed out): report the outcome. */
  private async conclude(): Promise<void> {
    if (this.over) return;
    const outcome = report.endedPodOutcome(this.lastPod, this.failureMessage);
    if (outcome) return this.finish(outcome === 'built' ? undefined : outcome, true);
  }

  /** Stops the build for good: the pod is deleted and every waiting run fails with `reason`. */
  cancel(reason: string): Promise<void> {
    this.cancelled = true;
    return this.finish(new BuildFailedError(reason, 'cancelled'), true);
  }

  /** Nobody waits any more (runner shutting down): stop watching, leave the pod. */
  private abandon(): void {
    if (this.over) return;
    this.d.log.info('no run follows this build any more; leaving its pod running');
    this.stopAll();
    this.d.onClosed();
  }

  private stopAll(): void {
    this.over = true;
    this.timeLimits?.stop();
    clearTimeout(this.drain);
    this.watcher?.stop();
    this.logs?.stop();
  }

  private async finish(err: BuildFailedError | undefined, deletePod: boolean): Promise<void> {
    if (this.over) return;
    this.stopAll();
    this.d.onClosed();
    if (deletePod) await this.deletePod();
    if (err) this.d.log.warn({ reason: err.reason }, err.message);
    await this.subs.settle(err);
  }

  private async deletePod(): Promise<void> {
    await deleteBuildPod(this.d.api, this.d.settings.namespace, this.name, this.d.log);
    // Owned by the pod (the garbage collector removes it too), but gone now.
    if (this.secretName) await deleteGitCredentialsSecret(this.secretOptions(), this.secretName);
  }

  private secretOptions() {
    return { api: this.d.api, namespace: this.d.settings.namespace, log: this.d.log };
  }
}
