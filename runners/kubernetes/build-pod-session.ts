import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import type { EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { isFailureLine, parseLogLine } from '../log-line.js';
import { buildPodSelector } from './build-pod-labels.js';
import { createOrAttach } from './create-or-attach.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';
import type { KubernetesBackendSettings } from './kubernetes-settings.js';
import { BuildSubscribers } from './build-subscribers.js';
import { PodLogStream } from './pod-log-stream.js';
import { PodWatcher, type PodEventType } from './pod-watcher.js';
import { nanosSince } from './log-timestamp.js';
import * as status from './pod-status.js';

export interface BuildPodSessionDeps {
  api: CoreV1Api;
  kubeConfig: KubeConfig;
  settings: KubernetesBackendSettings;
  log: Logger;
  /** The pod to create (computed lazily: sticky builds look up nodes first). */
  makePod(): Promise<V1Pod>;
  requestedAt: number;
  /** The session is over (finished or abandoned); the backend forgets it. */
  onClosed(): void;
}

/**
 * One build pod followed by this runner: create it (or attach: 409), watch it, stream
 * its log from the first Running, report the end to every waiting run, delete it.
 * Fails the build on idle (no log output for `idle_timeout`) and on `max_age`.
 */
export class BuildPodSession {
  readonly name: string;
  private readonly subs: BuildSubscribers;
  private watcher: PodWatcher | undefined;
  private logs: PodLogStream | undefined;
  private lastPod: V1Pod | undefined;
  private failureMessage: string | undefined;
  private reported = new Set<string>();
  private timers: { idle?: NodeJS.Timeout; maxAge?: NodeJS.Timeout; drain?: NodeJS.Timeout } = {};
  private over = false;
  /** Stopped for good (see cancel): the pod is deleted, even one created after. */
  private cancelled = false;
  /** Position of the last event sent (see nextPosition). */
  private position = 0;

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
    try {
      const outcome = await createOrAttach({
        api: this.d.api,
        namespace: s.namespace,
        pod: await this.d.makePod(),
        requestedAt: this.d.requestedAt,
        log,
      });
      log.info({ outcome }, outcome === 'created' ? 'build pod created' : 'attached to build pod');
      this.logs = this.newLogStream(outcome === 'attached' ? s.logTailLines : undefined);
    } catch (err) {
      const why = kubeErrorMessage(err);
      return this.finish(new BuildFailedError(`Could not start the build pod: ${why}`), false);
    }
    if (this.over) {
      // Cancelled while the pod was being created: it must not be left running.
      if (this.cancelled) await this.deletePod();
      return;
    }
    this.resetIdle();
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
    void this.finish(
      new BuildFailedError(
        `The build pod ${this.name} was deleted before the build finished` +
          (status.podPhase(pod) === 'Failed' ? ` (${status.podFailureMessage(pod)})` : '.'),
      ),
      false,
    );
  }

  private onPod(pod: V1Pod): void {
    if (this.over) return;
    // Deleted by someone else (an operator, the cleaner): the kubelet is stopping
    // repo2docker, whose exit would otherwise read as an ordinary build failure.
    if (pod.metadata?.deletionTimestamp && status.podPhase(pod) !== 'Succeeded')
      return this.onEvent('DELETED', pod);
    this.lastPod = pod;
    this.armMaxAge(pod);
    const phase = status.podPhase(pod);
    if (phase === 'Pending') return this.onPending(pod);
    if (phase === 'Running') return this.logs?.ensure();
    if (phase === 'Unknown')
      return this.reportOnce('unknown', {
        phase: 'unknown',
        message: `The state of build pod ${this.name} is unknown (its node may be unreachable).\n`,
      });
    if (status.isTerminalPhase(phase)) {
      this.logs?.ensure();
      this.timers.drain ??= setTimeout(() => void this.conclude(), this.d.settings.drainTimeoutMs);
    }
  }

  private onPending(pod: V1Pod): void {
    const waiting = status.podWaitingReason(pod);
    if (!waiting || status.QUIET_WAITING_REASONS.has(waiting.reason)) return;
    const text = `Build pod is waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    if (status.FATAL_WAITING_REASONS.has(waiting.reason)) {
      return void this.finish(
        new BuildFailedError(`${text}; check KubernetesBuildExecutor.build_image.`),
        true,
      );
    }
    this.reportOnce(waiting.reason, { phase: 'waiting', message: `${text}\n` });
  }

  private reportOnce(key: string, event: { phase: string; message: string }): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.subs.broadcast(event, this.nextPosition(undefined));
  }

  /**
   * Where an event sits in the build: a log line at its kubelet time (ns since the pod
   * was created), anything else just after the last event. Every runner that reads the
   * pod computes the same positions, so lines replayed after a re-attach are dropped by
   * the event bus instead of shown twice.
   */
  private nextPosition(ts: string | undefined): number | undefined {
    const origin = this.lastPod && status.podCreatedAt(this.lastPod);
    if (origin === undefined) return undefined;
    const at = ts === undefined ? undefined : nanosSince(ts, origin);
    this.position = Math.max(at ?? 0, this.position + 1);
    return this.position;
  }

  private onLine(text: string, ts: string | undefined): void {
    if (this.over) return;
    this.resetIdle();
    const event = parseLogLine(text);
    if (!event) return;
    if (isFailureLine(event))
      this.failureMessage = event.message?.trim() || 'repo2docker reported a failure';
    this.subs.broadcast(event, this.nextPosition(ts));
  }

  /** The pod ended and its log is read (or the drain timed out): report the outcome. */
  private async conclude(): Promise<void> {
    if (this.over) return;
    const phase = status.podPhase(this.lastPod);
    if (phase === 'Succeeded' && !this.failureMessage) return this.finish(undefined, true);
    if (phase === 'Succeeded' || phase === 'Failed') {
      const why = this.failureMessage ?? status.podFailureMessage(this.lastPod!);
      return this.finish(
        new BuildFailedError(why.startsWith('Build') ? why : `Build failed: ${why}`),
        true,
      );
    }
  }

  private resetIdle(): void {
    const ms = this.d.settings.idleTimeoutMs;
    if (!ms || this.over) return;
    clearTimeout(this.timers.idle);
    this.timers.idle = setTimeout(() => {
      const message = `The build printed nothing for ${ms / 1000} seconds (BuildExecutor.idle_timeout), so it was stopped.`;
      void this.finish(new BuildFailedError(message, 'idle'), true);
    }, ms);
  }

  private armMaxAge(pod: V1Pod): void {
    const ms = this.d.settings.maxAgeMs;
    if (!ms || this.timers.maxAge) return;
    const age = Date.now() - (status.podCreatedAt(pod) ?? Date.now());
    this.timers.maxAge = setTimeout(
      () => {
        const message = `The build ran for more than ${ms / 1000} seconds (BuildExecutor.max_age), so it was stopped.`;
        void this.finish(new BuildFailedError(message, 'max_age'), true);
      },
      Math.max(0, ms - age),
    );
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
    for (const t of Object.values(this.timers)) clearTimeout(t);
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
    const { api, settings } = this.d;
    try {
      await api.deleteNamespacedPod({
        name: this.name,
        namespace: settings.namespace,
        gracePeriodSeconds: 0,
      });
    } catch (err) {
      if (kubeStatusCode(err) !== 404)
        this.d.log.warn(
          { err: kubeErrorMessage(err) },
          'could not delete the build pod (the cleaner will)',
        );
    }
  }
}
