import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { BUILDER_CONTAINER } from './build-pod-labels.js';
import { kubeErrorMessage, kubeStatusCode } from './kube-api-error.js';
import { PodLogFollower } from './pod-log-follower.js';

export interface PodLogStreamOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  podName: string;
  /** Lines of history on the first connection (attaching); undefined = all. */
  tailLines: number | undefined;
  retryDelayMs: number;
  log: Logger;
  onLine(text: string, ts: string | undefined): void;
  /** Whether the pod has ended (then a closed stream means the log is complete). */
  isPodDone(): boolean;
  /** The pod ended and every line of its log was delivered. */
  onDrained(): void;
}

/**
 * A build pod's whole log, once, however often the follow stream has to be reopened:
 * a stream that closes while the pod still runs is reopened after the last line seen.
 */
export class PodLogStream {
  private follower: PodLogFollower | undefined;
  private lastTimestamp: string | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private drained = false;
  /** Streams in a row that ended with no new line (the container ended before its pod said so). */
  private emptyStreams = 0;

  constructor(private readonly o: PodLogStreamOptions) {}

  /** Make sure a stream is open (called on Running, and when the pod ends). */
  ensure(): void {
    if (this.stopped || this.drained || this.follower) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.follower?.stop();
  }

  private async connect(): Promise<void> {
    const follower = new PodLogFollower({
      kubeConfig: this.o.kubeConfig,
      namespace: this.o.namespace,
      podName: this.o.podName,
      container: BUILDER_CONTAINER,
      // The tail applies until a line was seen; after that, resume after it.
      tailLines: this.lastTimestamp ? undefined : this.o.tailLines,
      after: this.lastTimestamp,
      onLine: (text, ts) => this.o.onLine(text, ts),
    });
    this.follower = follower;
    try {
      await follower.start();
    } catch (err) {
      this.follower = undefined;
      if (this.stopped) return;
      const code = kubeStatusCode(err);
      if (this.o.isPodDone() && (code === 400 || code === 404)) return this.finish();
      this.o.log.warn(
        { err: kubeErrorMessage(err), code },
        'could not open the build log; retrying',
      );
      return this.later();
    }
    await follower.ended;
    const before = this.lastTimestamp;
    this.lastTimestamp = follower.lastTimestamp ?? this.lastTimestamp;
    this.follower = undefined;
    if (this.stopped) return;
    if (this.o.isPodDone()) return this.finish();
    // Usually the container has just ended and the pod's status will say so in a
    // moment (ensure() is called then): wait longer after each stream that had nothing.
    this.emptyStreams = this.lastTimestamp === before ? this.emptyStreams + 1 : 0;
    this.o.log.info('build log stream closed while the pod runs; reopening');
    this.later(this.o.retryDelayMs * 2 ** Math.min(this.emptyStreams, 3));
  }

  private later(delayMs = this.o.retryDelayMs): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.ensure(), delayMs);
  }

  private finish(): void {
    this.drained = true;
    this.o.onDrained();
  }
}
