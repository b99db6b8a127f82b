import { Writable } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import { LineSplitter } from '../line-splitter.js';
import { isAfter, splitTimestamp } from './log-timestamp.js';

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
 * One `follow=true` log stream of a build pod (client-node's Log), with timestamps so a
 * later stream can resume where this one stopped. `ended` resolves when the server
 * closes the stream (the container ended, or the stream closed early); `stop()` aborts.
 */
export class PodLogFollower {
  /** Time of the last line delivered. */
  lastTimestamp: string | undefined;
  readonly ended: Promise<void>;
  private endedResolve!: () => void;
  private controller: AbortController | undefined;
  private stopped = false;

  constructor(private readonly o: PodLogFollowerOptions) {
    this.lastTimestamp = o.after;
    this.ended = new Promise((r) => (this.endedResolve = r));
  }

  /** Opens the stream; rejects when the API refuses (e.g. 400: container not started). */
  async start(): Promise<void> {
    const splitter = new LineSplitter((line) => this.line(line));
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        splitter.push(chunk);
        cb();
      },
      final: (cb) => {
        splitter.end();
        cb();
        this.endedResolve();
      },
    });
    const sinceTime = this.o.after
      ? new Date(this.o.after).toISOString().slice(0, 19) + 'Z'
      : undefined;
    this.controller = await new Log(this.o.kubeConfig).log(
      this.o.namespace,
      this.o.podName,
      this.o.container,
      sink,
      {
        follow: true,
        timestamps: true,
        ...(this.o.tailLines !== undefined && !sinceTime ? { tailLines: this.o.tailLines } : {}),
        ...(sinceTime ? { sinceTime } : {}),
      },
    );
    if (this.stopped) this.controller.abort();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
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
