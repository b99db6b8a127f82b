import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { LineSplitter } from '../line-splitter.js';
import { isAfter, splitTimestamp } from './log-timestamp.js';
import { openPodLog } from './pod-log-request.js';

export interface PodLogFollowerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  podName: string;
  container: string;
  /** Only the last N lines (attaching to a build already under way); undefined = all. */
  tailLines?: number | undefined;
  /** Resume after this line time (a reconnect): earlier lines were delivered already. */
  after?: string | undefined;
  /** A line and its kubelet timestamp (RFC3339Nano), when it had one. */
  onLine(text: string, ts: string | undefined): void;
}

/**
 * One `follow=true` log stream of a build pod, with timestamps so a later stream can
 * resume where this one stopped. `ended` resolves when the stream ends for any reason:
 * the server closes it (the container ended, or it closed early) or the connection
 * dies (reset, proxy gone); `stop()` aborts it.
 */
export class PodLogFollower {
  /** Time of the last line delivered. */
  lastTimestamp: string | undefined;
  readonly ended: Promise<void>;
  private endedResolve!: () => void;
  private response: IncomingMessage | undefined;
  private stopped = false;

  constructor(private readonly o: PodLogFollowerOptions) {
    this.lastTimestamp = o.after;
    this.ended = new Promise((r) => (this.endedResolve = r));
  }

  /** Opens the stream; rejects when the API refuses (e.g. 400: container not started). */
  async start(): Promise<void> {
    const sinceTime = this.o.after
      ? new Date(this.o.after).toISOString().slice(0, 19) + 'Z'
      : undefined;
    const res = await openPodLog(this.o.kubeConfig, this.o.namespace, this.o.podName, {
      container: this.o.container,
      follow: true,
      timestamps: true,
      tailLines: sinceTime ? undefined : this.o.tailLines,
      sinceTime,
    });
    this.response = res;
    const splitter = new LineSplitter();
    let over = false;
    // A clean end completes the last line; a dead connection drops the partial one
    // (the next stream resumes at its timestamp and reads it whole).
    const finish = (clean: boolean) => {
      if (over) return;
      over = true;
      const last = clean ? splitter.end() : undefined;
      if (last) this.line(last.text);
      this.endedResolve();
    };
    res.on('data', (chunk: Buffer) => {
      for (const l of splitter.push(chunk)) this.line(l.text);
    });
    res.on('end', () => finish(true));
    res.on('error', () => finish(false)).on('close', () => finish(false));
    if (this.stopped) res.destroy();
  }

  stop(): void {
    this.stopped = true;
    this.response?.destroy();
    this.endedResolve();
  }

  private line(raw: string): void {
    if (this.stopped) return;
    const { ts, text } = splitTimestamp(raw.replace(/\r$/, ''));
    if (!isAfter(ts, this.lastTimestamp)) return;
    if (ts) this.lastTimestamp = ts;
    this.o.onLine(text, ts);
  }
}
