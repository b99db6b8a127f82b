import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import { kubeStatusCode } from './kube-api-error.js';

export type PodEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface PodWatcherOptions {
  kubeConfig: KubeConfig;
  api: CoreV1Api;
  namespace: string;
  labelSelector: string;
  /** The full current state, after every (re)list: the watch could not resume. */
  onSync(pods: V1Pod[]): void;
  onEvent(type: PodEventType, pod: V1Pod): void;
  log: Logger;
  /** Server-side watch timeout; the watch is restarted when it ends. */
  timeoutSeconds: number;
  /** Wait after a failed list or watch (doubles up to 10×). */
  retryDelayMs: number;
}

type WatchEnd = { resourceVersion: string | undefined; expired: boolean };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * List, then watch from the list's resourceVersion; when a watch ends (server
 * timeout, dropped connection) resume from the last resourceVersion seen; when that
 * is too old (410 Gone / Expired) list again. Runs until `stop()`.
 */
export class PodWatcher {
  private stopped = false;
  private controller: AbortController | undefined;
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(private readonly o: PodWatcherOptions) {
    this.done = this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let rv: string | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (rv === undefined) rv = await this.list();
        if (this.stopped) break;
        const started = Date.now();
        const end = await this.watchOnce(rv);
        rv = end.expired ? undefined : end.resourceVersion;
        if (end.expired) this.o.log.info('watch history expired (410); listing again');
        failures = 0;
        // A watch the server ends at once, again and again, must not spin.
        if (Date.now() - started < 500) await this.pause(this.o.retryDelayMs);
      } catch (err) {
        if (kubeStatusCode(err) === 410) rv = undefined;
        failures++;
        const delay = this.o.retryDelayMs * Math.min(10, 2 ** (failures - 1));
        this.o.log.warn({ err: (err as Error).message, delay }, 'pod watch failed; retrying');
        await this.pause(delay);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return Promise.race([sleep(ms), new Promise<void>((r) => (this.wake = r))]);
  }

  private async list(): Promise<string | undefined> {
    const { namespace, labelSelector } = this.o;
    const list = await this.o.api.listNamespacedPod({ namespace, labelSelector });
    if (!this.stopped) this.o.onSync(list.items);
    return list.metadata?.resourceVersion;
  }

  private watchOnce(resourceVersion: string | undefined): Promise<WatchEnd> {
    const { namespace, labelSelector, timeoutSeconds } = this.o;
    const end: WatchEnd = { resourceVersion, expired: false };
    return new Promise<WatchEnd>((resolve, reject) => {
      // A connection that dies silently never ends: give up a little after the server would.
      const guard = setTimeout(() => this.controller?.abort(), (timeoutSeconds + 15) * 1000);
      guard.unref();
      const onEvent = (type: string, obj: unknown) => {
        const o = obj as V1Pod & { code?: number };
        if (type === 'ERROR') {
          if (o.code === 410) end.expired = true;
          else this.o.log.warn({ status: o }, 'watch error event');
          return;
        }
        end.resourceVersion = o.metadata?.resourceVersion ?? end.resourceVersion;
        if (type === 'BOOKMARK' || this.stopped) return;
        this.o.onEvent(type as PodEventType, o);
      };
      const onDone = (err: unknown) => {
        clearTimeout(guard);
        if (err && !this.stopped && (err as Error).name !== 'AbortError') {
          if (kubeStatusCode(err) === 410) return resolve({ ...end, expired: true });
          return reject(err instanceof Error ? err : new Error(String(err)));
        }
        resolve(end);
      };
      new Watch(this.o.kubeConfig)
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          onEvent,
          onDone,
        )
        .then((c) => {
          this.controller = c;
          if (this.stopped) c.abort();
        }, onDone);
    });
  }
}
